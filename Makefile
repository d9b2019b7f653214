# Two entry points for a fresh clone:  `make lab` (open the course)  and  `make test` (run every test).
# Both create or refresh the local virtual environment in .venv themselves, with the exact
# versions of requirements.lock (the one lock; binder/requirements.txt is its course subset).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
PORT   ?= 8888
LAB_FLAGS ?=
# JupyterLab refuses to run as root (containers, CI, classroom servers) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
BINDER_PYTHON := $(patsubst python-%,%,$(shell cat binder/runtime.txt))
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --custom-compile-command "make lock"

.PHONY: lab test lint bench lock clean

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) -e '.[dev]'
	touch $(STAMP)

lab: $(STAMP)  ## open the course in JupyterLab (local only, 127.0.0.1), chapter 00 first
	@token=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(24))'); \
	echo "lambdakit: the course opens at http://127.0.0.1:$(PORT)/lab/tree/00_welcome.ipynb?token=$$token"; \
	echo "lambdakit: (open that URL in a browser if none opens by itself; Ctrl-C stops JupyterLab)"; \
	set -x; exec $(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --ServerApp.port_retries=0 \
	  --IdentityProvider.token=$$token $(ALLOW_ROOT) $(LAB_FLAGS) course/00_welcome.ipynb

lint: $(STAMP)
	$(BIN)/ruff check lambdakit widgets tests bench tools
	$(BIN)/mypy

test: lint  ## lint, type-check, unit/property/notebook/browser tests
	$(BIN)/python -m pytest

bench: $(STAMP)  ## benchmarks print their figures (import time, simulator vs SimFaaS, widgets, course)
	$(BIN)/python bench/import_time.py
	$(BIN)/python bench/hot_paths.py
	$(BIN)/python bench/simulate.py
	$(BIN)/python bench/timeline.py
	$(BIN)/python -m bench.widgets
	$(BIN)/python bench/course.py

lock:  ## re-resolve the lock from pyproject.toml on purpose (newest versions), then Binder's subset
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --constraint $(LOCK) uv
	$(UV_COMPILE) --extra dev --universal --python-version 3.10 --upgrade -o $(LOCK)
	$(UV_COMPILE) --extra course --python-version $(BINDER_PYTHON) \
	  --python-platform x86_64-unknown-linux-gnu --constraint $(LOCK) -o binder/requirements.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
