# kekiz — two commands: `make demo` (build the demo store from bundled real data and
# serve it at http://127.0.0.1:8000/) and `make test` (lint, type-check and the full
# test suite, services included).  `make check` is the quick loop while editing: lint,
# types and the tests not marked slow.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
# what `make demo` needs (the core), and everything for the tests (all extras, dev tools)
CORE = $(VENV)/.installed-core
DEV = $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
# the tests in parallel (pytest-xdist, one worker per core; tests/conftest.py says which
# tests share a worker) and the 20 slowest listed at the end
PYTEST_ARGS ?= -q -n auto --dist loadfile --durations=20

.PHONY: demo demo-store docs screenshots test check lint typecheck clean

$(CORE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(CORE)

$(DEV): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(DEV) $(CORE)

demo: demo-store
	$(BIN)/kekiz serve --host $(HOST) --port $(PORT)

demo-store: $(CORE)
	$(BIN)/kekiz demo

# pictures of every page for the handbook (docs/pages.md), from the browser tests
screenshots: $(DEV)
	$(BIN)/pytest -q -p no:cacheprovider tests/web/test_browser_a11y.py
	$(BIN)/python tools/docs_screenshots.py

docs: $(DEV)
	$(BIN)/python -m kekiz.docgen
	$(BIN)/mkdocs build --strict -d site

lint: $(DEV)
	$(BIN)/ruff check src tests $(wildcard tools bench)

typecheck: $(DEV)
	$(BIN)/mypy

test: $(DEV)
	bash scripts/test-services.sh
	$(BIN)/ruff check src tests $(wildcard tools bench)
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)
	# dependency audit: fails on a known vulnerability; exit 3 = vulnerability data not
	# reachable from this machine (said loudly, not a failure)
	bash scripts/audit-deps.sh >/dev/null || [ $$? -eq 3 ]

# lint, types and the tests not marked slow (the edit-test loop; `make test` runs all)
check: $(DEV)
	$(BIN)/ruff check src tests $(wildcard tools bench)
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS) -m "not slow"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache kekiz.db kekiz.db-*
