# The course's commands. `make` alone lists them.
#   make run-all   set up, download the data, run every lesson, print the table of models
#   make test      set up and run the tests
# Every target sets itself up first, so a fresh clone needs only python3 (3.11) and make.

PYTHON ?= python3
DATASET ?= ml-latest-small
# ACCEPT_NEW_EDITION=1 lets the download (lesson 00) use a dataset edition other than the course's, knowingly.
ACCEPT_NEW_EDITION ?=
EDITION_FLAG := $(if $(filter 1 yes true,$(ACCEPT_NEW_EDITION)),--accept-new-edition)
VENV := .venv
PY := $(VENV)/bin/python
SETUP_STAMP := $(VENV)/.installed
BENCHMARK_STAMP := $(VENV)/.benchmark-installed
KERNEL_NAME := cf-course
UV_VERSION := 0.13.9
# Jupyter refuses to run as root (common in containers) unless told it is deliberate.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.DEFAULT_GOAL := help
.PHONY: help setup download run-all execute-notebooks test test-unit test-smoke test-nbval lab lock benchmark clean

help: ## List the targets with what each does
	@echo "Collaborative filtering with Keras: the course's commands (DATASET=$(DATASET))"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: $(SETUP_STAMP) ## Create .venv from the lock, install the course package, register the Jupyter kernel

$(SETUP_STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "this course needs Python 3.11; run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --editable .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "Python 3 (cf-course)" >/dev/null
	@touch $@

download: setup ## Fetch and verify DATASET into data/raw (honours MOVIELENS_MIRROR, ACCEPT_NEW_EDITION=1)
	$(PY) scripts/download_movielens.py --dataset $(DATASET) $(EDITION_FLAG)

run-all: setup ## Run all six lessons headless into data/executed/DATASET/ and print the table of models
	$(PY) scripts/run_course.py --dataset $(DATASET) $(EDITION_FLAG)

execute-notebooks: setup ## Maintainers: re-execute the committed notebooks in place on ml-latest-small
	$(PY) scripts/run_course.py --in-place

test: test-unit test-smoke test-nbval ## Run every test: the three tiers below, in order

test-unit: setup ## Unit tier: the package, downloads through a local HTTP server, JupyterLab, stored notebooks
	$(PY) -m pytest -m "not smoke and not nbval"

test-smoke: setup ## Smoke tier: every lesson run by papermill on synthetic data with tiny parameters
	$(PY) -m pytest -m smoke

# Strict mode: a training lesson whose test RMSE drifts from the published one fails (it only informs learners).
test-nbval: setup ## nbval tier: re-run the committed lessons on ml-latest-small and compare their outputs
	CFCOURSE_STRICT_CHECKS=1 $(PY) -m pytest --nbval notebooks --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
	$(PY) -m pytest -m nbval

lab: setup ## Open the lessons in JupyterLab (prints the URL to open)
	@echo "JupyterLab starts below; open the http://127.0.0.1:8888/lab?token=... URL it prints (with its own port and token)."
	$(VENV)/bin/jupyter lab --notebook-dir notebooks --no-browser --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT)

lock: setup ## Re-resolve requirements.lock and requirements-benchmark.lock for Linux, macOS and Windows
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --no-header -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --extra benchmark --no-header -o requirements-benchmark.lock

# Without DATASET= on the command line it covers ml-latest-small and ml-100k (and ml-1m once downloaded).
benchmark: setup $(BENCHMARK_STAMP) ## Run the course on each dataset and time its models beside baselines and SVD; data/metrics/benchmark.md
	$(PY) scripts/benchmark.py $(if $(filter command line environment,$(origin DATASET)),--dataset $(DATASET))

# scikit-surprise stays out of the course's own lock; only the benchmark installs it (from source: needs a C compiler).
$(BENCHMARK_STAMP): requirements-benchmark.lock $(SETUP_STAMP)
	$(PY) -m pip install --quiet -r requirements-benchmark.lock
	@touch $@

clean: ## Delete downloaded data, processed data, models, metrics and executed copies (never the notebooks)
	rm -rf data/raw data/processed data/models data/metrics data/executed
