"""Fixtures for running the official Lattica Python clients against the sandbox.

The official packages import their numeric stack (torch, safetensors, the FHE core) at import
time. Those wheels are several gigabytes and play no part in the HTTP calls tested here, so a
meta-path finder stands in empty modules for them. Every line of the clients' HTTP code runs
unchanged; only those imports are satisfied by stubs.
"""

import json
import os
import subprocess
import tempfile
import urllib.request

import pytest

import heavy_stubs  # noqa: F401  (installs the stand-ins before any client is imported)


class Sandbox:
    def __init__(self, url, token, process):
        self.url = url
        self.token = token
        self.process = process

    def control(self, action, body=None):
        request = urllib.request.Request(
            f"{self.url}/control/{action}",
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["result"]


# Every test runs on both profiles: the official clients need nothing Lattica does not publish.
@pytest.fixture(params=["full", "published"])
def sandbox(request, monkeypatch):
    binary = os.environ.get("LATTICA_SANDBOX_BIN", "target/debug/lattica-sandbox")
    profile = ["--published-only"] if request.param == "published" else []
    with tempfile.TemporaryDirectory() as data:
        process = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--data", data, "--control", *profile],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            started = json.loads(process.stdout.readline())
            assert started["profile"] == request.param
            monkeypatch.setenv("LATTICA_BE_URL", started["url"])
            yield Sandbox(started["url"], started["token"], process)
        finally:
            process.terminate()
            process.wait(timeout=10)
