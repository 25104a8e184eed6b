# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## demo: create .venv, install flashgen, build the example decks into decks/
demo: $(VENV)/.installed
	$(BIN)/flashgen build examples/vault -o decks/examples.apkg
	$(BIN)/flashgen build examples/single/Photosynthesis.md --deck-name Photosynthesis -o decks/photosynthesis.apkg

## lint: ruff and mypy
lint: $(VENV)/.installed-test
	$(BIN)/ruff check flashgen tests bench
	$(BIN)/ruff format --check flashgen tests bench
	$(BIN)/mypy

# The MathJax Anki ships, for the test that renders cards as Anki does (npm registry).
MATHJAX := .cache/mathjax/node_modules/mathjax/es5/tex-chtml-full.js

$(MATHJAX):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix .cache/mathjax mathjax@3.2.2; \
	else echo "npm not found: the MathJax rendering tests are skipped"; fi

## test: install the test extras, lint, run the whole suite
test: lint $(MATHJAX)
	$(BIN)/pytest

## bench: time flashgen against the floor on generated 1,000- and 10,000-note vaults
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

## fuzz: the property suite with 20,000 examples per property (several minutes)
fuzz: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_properties.py -q

clean:
	rm -rf $(VENV) decks/*.apkg .pytest_cache .mypy_cache .ruff_cache .cache
