# Lattica Tray: `make run` and `make test` are the two entry points (see README.md).
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run sandbox test deps-build deps-test lint unit python e2e bench icons

## run: install what is missing, build, start the app on the embedded sandbox (demo account)
run: deps-build
	$(CARGO) build -p lattica-tray
	scripts/run-app.sh

## sandbox: only the sandbox platform, printing the demo account's balance
sandbox: deps-build
	$(CARGO) build -p lattica-sandbox
	scripts/demo-sandbox.sh

## test: install what is missing, then every check and test suite, headless
test: deps-test lint unit python e2e
	@echo "make test: all suites passed"

deps-build:
	scripts/install-deps.sh build

deps-test:
	scripts/install-deps.sh test

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace --exclude lattica-e2e

python:
	$(CARGO) build -p lattica-sandbox
	scripts/python-tests.sh

e2e:
	$(CARGO) build -p lattica-tray -p lattica-sandbox
	scripts/headless-session.sh $(CARGO) test -p lattica-e2e -- --test-threads=1

icons:
	icons/generate.sh

bench:
	scripts/bench-sandbox.sh
