# `make demo` and `make test` set everything up on a fresh machine, then run. Nothing else is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench-extraction clean

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "guetteur needs Python 3.11 (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	# The machine's pip 23.2.1 cannot resolve trafilatura's lxml extras: upgrade pip first.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/guetteur demo

test: setup
	$(BIN)/python -m pytest

bench-extraction: setup
	$(BIN)/python -m benchmarks.extraction

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
