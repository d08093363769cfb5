# `make run` opens newsmark on articles/; `make test` runs lint, types and the test suite.
# Both create .venv and install the project into it on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint pytest bench screenshot clean chromium install-check

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
	$(BIN)/lint-imports

pytest: $(STAMP) chromium
	$(BIN)/python -m pytest

# The browser test of `newsmark serve` drives Debian's chromium. Install it when running as
# root with apt-get and it is missing (NO_CHROMIUM_INSTALL=1 to opt out). Locally a missing
# chromium only skips that test; in CI (CI=true) it fails this step, as it fails the test.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	[ -n "$(NO_CHROMIUM_INSTALL)" ] || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  echo "Installing chromium for the browser test of newsmark serve..." && \
	  timeout 900 apt-get update -qq >/dev/null 2>&1 && \
	  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq chromium >/dev/null 2>&1; } || \
	true
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	case "$(CI)" in \
	  ""|0|[Ff]alse|FALSE|[Nn]o|NO) echo "chromium is not installed; the browser test of newsmark serve will be skipped." ;; \
	  *) echo "chromium is not installed and CI is set: install it (Debian: apt-get install chromium), or the browser test of newsmark serve fails." >&2; exit 1 ;; \
	esac

# A fresh `pip install` of the built wheel with the pip bundled with $(PYTHON), then `newsmark
# add` on a saved page (.ci/install_check). It waits on the package index, not the CPU, so
# `make test` runs it beside the test suite and shows its log only if it fails.
install-check:
	.ci/install_check $(PYTHON)

test: lint
	@.ci/install_check $(PYTHON) > $(VENV)/install-check.log 2>&1 & check=$$!; \
	$(MAKE) --no-print-directory pytest; tests=$$?; \
	if wait $$check; then tail -n 1 $(VENV)/install-check.log; \
	else cat $(VENV)/install-check.log; echo "install check: FAILED"; exit 1; fi; \
	exit $$tests

# Each bench prints a Markdown table: every figure beside its reference measured in the same
# run, and the target (bench/RESULTS.md keeps them). BENCH_ARGS=--quick checks they run.
bench: $(STAMP)
	$(BIN)/python bench/keys.py $(BENCH_ARGS)
	$(BIN)/python bench/startup.py $(BENCH_ARGS)
	$(BIN)/python bench/corpus.py $(BENCH_ARGS)
	$(BIN)/python bench/suggest.py $(BENCH_ARGS)
	$(BIN)/python bench/dask_suggest.py $(BENCH_ARGS)
	$(BIN)/python bench/long.py $(BENCH_ARGS)
	$(BIN)/python bench/team.py $(BENCH_ARGS)

screenshot: $(STAMP)
	$(BIN)/python -m tui.screenshot docs/screenshot.svg

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
