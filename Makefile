# kctui developer tasks. Every target sets up what it needs (a .venv with kctui installed).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

LOCK    = requirements/ci.lock
# uv resolves one lock for every supported Python (--universal); pip-tools resolves for the
# interpreter that runs it only. uv is needed to write the lock, never to install from it.
UV_VERSION = 0.13.9

.PHONY: install demo test test-secure unit lint bench sandbox-up sandbox-down clean lock test-latest test-floors

# The test environment comes from the committed lock (exact versions, hashes checked), so a
# fresh clone today and in a month tests the same releases. kctui itself goes in without
# build isolation: its build backend (setuptools, wheel) is in the lock too.
$(STAMP): pyproject.toml $(LOCK)
	@command -v java >/dev/null && command -v mvn >/dev/null || ./.ci/install-system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

## Start the local sandbox cluster (if not up) and open the console on it.
demo: $(STAMP)
	$(BIN)/kctui demo

## The whole test suite: unit, UI and integration tests against the real sandbox, then the
## secured tests against the secure sandbox, in a pytest session of their own: the plain
## sandbox is down by then, so the two clusters never run at once on CI's two cores.
test: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider
	$(MAKE) --no-print-directory test-secure

## The secured tests only (TLS, basic auth, SASL_SSL/SCRAM): kctui sandbox up --secure.
test-secure: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider tests/secure

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

## Move the lock forward on purpose: today's newest releases that satisfy pyproject.toml.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	.venv-lock/bin/uv pip compile pyproject.toml requirements/ci.in --extra test --universal \
	  --python-version 3.11 --generate-hashes --upgrade -o $(LOCK)

## Unit and UI tests on today's newest releases, unlocked, in a throwaway venv: finds drift
## before a `make lock` does. It may fail one day; that is its job.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
	.venv-latest/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
	.venv-latest/bin/python -m pytest -p no:cacheprovider tests/unit tests/ui
	rm -rf .venv-latest

## Unit and UI tests with every runtime dependency at the floor pyproject.toml states.
test-floors:
	rm -rf .venv-floors
	$(PYTHON) -m venv .venv-floors
	.venv-floors/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(PYTHON) tools/floors.py pyproject.toml > .venv-floors/floors.txt
	.venv-floors/bin/python -m pip install -q --disable-pip-version-check \
	  -c .venv-floors/floors.txt -e '.[test]'
	.venv-floors/bin/python -m pytest -p no:cacheprovider tests/unit tests/ui
	rm -rf .venv-floors

sandbox-up: $(STAMP)
	$(BIN)/kctui sandbox up

sandbox-down: $(STAMP)
	$(BIN)/kctui sandbox down

clean:
	rm -rf $(VENV) .venv-lock .venv-latest .venv-floors build *.egg-info .pytest_cache .mypy_cache .ruff_cache
