# support-excellence: every target sets itself up on a machine that has only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= reports

.PHONY: demo test lint install install-test templates benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## demo: install, then score the bundled sample organizations into $(OUT)/
demo: install
	$(BIN)/support-excellence demo --out $(OUT)

## test: install the test extras, then lint, unit tests and notebook checks
test: install-test
	$(BIN)/ruff check assessment tests benchmarks
	$(BIN)/python -m pytest -q

lint: install-test
	$(BIN)/ruff check assessment tests benchmarks

## templates: regenerate templates/intake.xlsx and the bundled sample intakes
templates: install
	$(BIN)/python -m assessment.samples --regenerate

benchmark: install
	$(BIN)/python benchmarks/bench_score.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
