# `make demo` and `make test` bootstrap everything they need: system packages (via
# scripts/system-deps, apt-get when missing), the pages' browser assets from the npm
# registry (scripts/vendor-assets, pinned by package-lock.json), then a virtualenv in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := restock/api/pages/static/vendor/chart.umd.min.js

.PHONY: demo test lint typecheck bench clean

$(STAMP): pyproject.toml scripts/system-deps $(ASSETS)
	bash scripts/system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(ASSETS): package.json package-lock.json scripts/vendor-assets
	bash scripts/system-deps
	bash scripts/vendor-assets

demo: $(STAMP)
	$(BIN)/restock demo

test: lint typecheck
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check restock tests bench
	$(BIN)/ruff format --check restock tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Each benchmark prints its figures, the last line JSON; drop --quick for the full runs
# quoted in the README.
bench: $(STAMP)
	for b in ingest ingest_faults simulate forecast closed_loop api; do $(BIN)/python bench/$$b.py --quick || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules restock/api/pages/static/vendor
