# Athena Serving. `make run` serves an example app locally; `make test` runs every test.
SWIFT ?= swift
BIN := $(shell $(SWIFT) build --show-bin-path 2>/dev/null)
export ATHENA_BIN_DIR := $(BIN)
export ATHENA_PYTHON := $(CURDIR)/.venv/bin/python
export ATHENA_ROOT := $(CURDIR)

.PHONY: setup build run test test-swift test-python test-validate bench clean

setup:
	@bash scripts/bootstrap.sh

build: setup
	$(SWIFT) build --build-tests

run: build
	$(BIN)/athena serve examples/digits --host 127.0.0.1 --port 1888

test: build
	bash scripts/test-all.sh

clean:
	rm -rf .build .venv
