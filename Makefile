# Two entry points for a fresh clone:  `make lab` (open the course)  and  `make test` (run every test).
# Both create or refresh the local virtual environment in .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lab: $(STAMP)  ## open the course in JupyterLab (local only, 127.0.0.1)
	$(BIN)/jupyter lab --ip=127.0.0.1 course/00_welcome.ipynb

lint: $(STAMP)
	$(BIN)/ruff check lambdakit widgets tests bench
	$(BIN)/mypy

test: lint  ## lint, type-check, unit/property/notebook/browser tests
	$(BIN)/python -m pytest

bench: $(STAMP)  ## benchmarks print their figures (simulator vs SimFaaS, widgets, course)
	$(BIN)/python bench/simulate.py
	$(BIN)/python bench/timeline.py
	$(BIN)/python -m bench.widgets
	$(BIN)/python bench/course.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
