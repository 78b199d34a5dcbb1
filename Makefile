# kctui developer tasks. Every target sets up what it needs (a .venv with kctui installed).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install demo test unit lint bench sandbox-up sandbox-down clean

$(STAMP): pyproject.toml
	@command -v java >/dev/null && command -v mvn >/dev/null || ./.ci/install-system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## Start the local sandbox cluster (if not up) and open the console on it.
demo: $(STAMP)
	$(BIN)/kctui demo

## The whole test suite: unit, UI and integration tests against the real sandbox.
test: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/ui

## Static checks: style, types, the layers (only kctui.ui imports Textual), dead code.
lint: $(STAMP)
	$(BIN)/ruff check kctui tests
	$(BIN)/mypy kctui tests
	$(BIN)/lint-imports
	$(BIN)/vulture

## Benchmarks print figures; they never pass or fail on time. Most need the sandbox up.
bench: $(STAMP)
	@for script in tests/bench/bench_*.py; do \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

sandbox-up: $(STAMP)
	$(BIN)/kctui sandbox up

sandbox-down: $(STAMP)
	$(BIN)/kctui sandbox down

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
