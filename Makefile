# `make run` opens newsmark on articles/; `make test` runs lint, types and the test suite.
# Both create .venv and install the project into it on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint pytest bench screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsmark $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check tui tests bench
	$(BIN)/ruff format --check tui tests bench
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint pytest

bench: $(STAMP)
	$(BIN)/python bench/keys.py
	$(BIN)/python bench/suggest.py

screenshot: $(STAMP)
	$(BIN)/python -m tui.screenshot docs/screenshot.svg

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
