# Every target does its own set-up: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup test test-online test-mcp1 lint bench demo help-docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,mcp,postgres]'
	touch $(STAMP)

test: setup
	$(PY) -m pytest -q

test-online: setup
	$(PY) -m pytest -q -m online

# The MCP SDK integration against the SDK's previous major line (1.x), in a venv of its own.
test-mcp1:
	$(PYTHON) -m venv .venv-mcp1
	.venv-mcp1/bin/python -m pip install --quiet -e '.[dev]' 'mcp>=1.20,<2'
	.venv-mcp1/bin/python -m pytest -q tests/runtime/test_mcp_sdk.py

lint: setup
	$(VENV)/bin/ruff check scanner attestations tests bench scripts eval
	$(VENV)/bin/ruff format --check scanner attestations tests bench scripts eval
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/run_all.py

demo: setup
	$(VENV)/bin/chainwatch demo

help-docs: setup
	$(PY) scripts/help_docs.py --write

clean:
	rm -rf $(VENV) .venv-mcp1 build *.egg-info
