# kekiz — two commands: `make demo` (build the demo store from bundled real data and
# serve it at http://127.0.0.1:8000/) and `make test` (lint, type-check and the full
# test suite, services included).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo demo-store docs test lint typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: demo-store
	$(BIN)/kekiz serve --host $(HOST) --port $(PORT)

demo-store: $(STAMP)
	$(BIN)/kekiz demo

docs: $(STAMP)
	$(BIN)/python -m kekiz.docgen
	$(BIN)/mkdocs build --strict -d site

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard tools bench)

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP)
	bash scripts/test-services.sh
	$(BIN)/ruff check src tests $(wildcard tools bench)
	$(BIN)/mypy
	$(BIN)/pytest -q
	# dependency audit: fails on a known vulnerability; exit 3 = vulnerability data not
	# reachable from this machine (said loudly, not a failure)
	bash scripts/audit-deps.sh >/dev/null || [ $$? -eq 3 ]

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache kekiz.db kekiz.db-*
