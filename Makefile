# Lattica Tray: `make run` and `make test` are the two entry points (see README.md).
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run run-headless test deps-build deps-test lint unit python e2e bench icons clean

## run: install what is missing, build, start the app on the embedded sandbox (demo account)
run: deps-build
	$(CARGO) build -p lattica-sandbox
	scripts/demo-sandbox.sh

## test: install what is missing, then every check and test suite, headless
test: deps-test lint unit python
	@echo "make test: all suites passed"

deps-build:
	scripts/install-deps.sh build

deps-test:
	scripts/install-deps.sh test

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace

python:
	$(CARGO) build -p lattica-sandbox
	scripts/python-tests.sh

bench:
	scripts/bench-sandbox.sh
