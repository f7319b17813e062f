# support-excellence: every target sets itself up on a machine that has only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= reports

.PHONY: demo test test-fast lint install install-test system-deps templates notebooks lock app \
	benchmark clean

$(BIN)/python:
	@echo "creating the virtual environment $(VENV)…"
	$(PYTHON) -m venv $(VENV)

# Every dependency at the exact version of requirements.lock (refresh it with `make lock`).
LOCK   := requirements.lock

# pip's own progress is shown (about a minute on a fresh machine), not a silent wait.
$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	@echo "installing dependencies (pinned by $(LOCK)) into $(VENV)…"
	$(BIN)/python -m pip install --progress-bar on --disable-pip-version-check -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(BIN)/python
	@echo "installing dependencies and test tools (pinned by $(LOCK)) into $(VENV)…"
	$(BIN)/python -m pip install --progress-bar on --disable-pip-version-check -c $(LOCK) \
		-e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## demo: install, then score the bundled sample organizations into $(OUT)/
# Then one sample's intake is filled from its own raw data (a ServiceNow incident export and
# the closure survey, tools/make_sample_exports.py) and scored: values with n and intervals.
EXPORTS := assessment/data/samples/exports/harbor-city-it
demo: install
	$(BIN)/support-excellence demo --out $(OUT)
	@echo "Evidence: Harbor City IT's intake filled from its incident export and survey answers"
	$(BIN)/support-excellence evidence tickets $(EXPORTS)/incidents-servicenow.csv \
		--system servicenow --tz Europe/Berlin --json $(OUT)/evidence/harbor-city-it-tickets.json \
		--intake assessment/data/samples/harbor-city-it.xlsx \
		--out $(OUT)/evidence/harbor-city-it-evidence-step1.xlsx
	$(BIN)/support-excellence evidence survey $(EXPORTS)/closure-survey-csat.csv --kind csat \
		--tz Europe/Berlin --json $(OUT)/evidence/harbor-city-it-csat.json \
		--intake $(OUT)/evidence/harbor-city-it-evidence-step1.xlsx \
		--out $(OUT)/evidence/harbor-city-it-from-evidence.xlsx
	$(BIN)/support-excellence score $(OUT)/evidence/harbor-city-it-from-evidence.xlsx \
		--out $(OUT)/evidence

## system-deps: LibreOffice (Calc and Impress), Chromium and poppler for the real-application
## tests (apt-get)
# soffice alone is not enough: the -nogui packages bring Calc or Impress one by one, and the
# deck tests need Impress (its registry file, impress.xcd). Carlito has Calibri's metrics, so
# LibreOffice lays out workbooks and decks as Excel and PowerPoint do (without it, DejaVu Sans
# prints every sheet about 20% smaller).
system-deps:
	@if command -v soffice >/dev/null && command -v chromium >/dev/null \
		&& command -v pdftotext >/dev/null \
		&& [ -f "$$(dirname "$$(readlink -f "$$(command -v soffice)")")/../share/registry/impress.xcd" ] \
		&& [ -d /usr/share/fonts/truetype/crosextra ]; \
	then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing LibreOffice Calc and Impress, Chromium, poppler-utils and the Carlito font for the round-trip tests"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends \
			libreoffice-calc-nogui libreoffice-impress-nogui chromium poppler-utils \
			fonts-crosextra-carlito >/dev/null; \
	else \
		echo "WARNING: soffice (Calc, Impress)/chromium/pdftotext missing and not installable here"; \
		echo "(needs root and apt-get); the tests that open files in them will be SKIPPED"; \
	fi

# Where system-deps can install the applications (root with apt-get), a missing one fails
# its tests instead of skipping them.
CAN_INSTALL_APPS = $(shell [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && echo 1)

## test: install the test extras, then lint, unit tests and notebook checks
test: install-test system-deps
	$(BIN)/ruff check assessment tests benchmarks notebooks tools
	SE_REQUIRE_APPS=$(CAN_INSTALL_APPS) $(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q --nbval --nbval-current-env notebooks

## test-fast: lint and the unit tests only, leaving out those marked slow (real applications,
## kernels, browsers) and nbval; no system packages needed
test-fast: install-test
	$(BIN)/ruff check assessment tests benchmarks notebooks tools
	$(BIN)/python -m pytest -q -m "not slow"

lint: install-test
	$(BIN)/ruff check assessment tests benchmarks notebooks tools

## notebooks: re-execute the notebooks with default parameters and rewrite their outputs
notebooks: install
	$(BIN)/python tools/refresh_notebooks.py notebooks/*.ipynb

## templates: regenerate templates/intake.xlsx and the bundled sample intakes
templates: install
	$(BIN)/python tools/regenerate_samples.py

## lock: re-resolve requirements.lock after a change to the dependencies of pyproject.toml,
## keeping every pin that still fits; `make lock UPGRADE=1` moves every pin to the newest
## release. Resolves against PyPI alone, for every platform and Python >= 3.11 (uv).
UV_VERSION ?= 0.13.9
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade) -o $(LOCK)

## app: serve notebooks/interactive_assessment.ipynb as a Voila app on http://localhost:$(PORT)
## (`make app PORT=8870` for another port; 8866 by default)
# JUPYTER_PATH makes Voila find share/jupyter/voila/templates/support-excellence, the lab
# template without its two Font Awesome CDN links (the app works offline). A page may not pick
# another template or theme with ?template= or ?theme= (docs/interactive.md).
PORT   ?= 8866
app: install
	JUPYTER_PATH=$(CURDIR)/share/jupyter $(BIN)/voila notebooks/interactive_assessment.ipynb \
		--no-browser --port=$(PORT) --template=support-excellence \
		--VoilaConfiguration.allow_template_override=NO \
		--VoilaConfiguration.allow_theme_override=NO

## benchmark: time one score run, a 100-intake batch and the hostile intakes against their targets
benchmark: install
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/bench_widgets.py
	$(BIN)/python benchmarks/bench_hostile.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
