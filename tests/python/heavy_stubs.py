"""Stand-ins for the official clients' numeric stack (torch, safetensors, the FHE core).

Those wheels are several gigabytes and play no part in the clients' HTTP calls, so a meta-path
finder stands in empty modules for them; every line of the clients' HTTP code runs unchanged.
Importing this module installs the finder. Used by the tests (conftest.py) and by
scripts/bench-cli.sh.
"""

import importlib.abc
import importlib.machinery
import sys
import types

_HEAVY = ("torch", "safetensors", "lattica_fhe_core")


class _StubModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return type(attr, (), {"__init__": lambda self, *a, **k: None})


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in _HEAVY:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _StubFinder())
