# The course's commands. `make` alone lists them.
#   make run-all   set up, download the data, run every lesson, print the table of models
#   make test      set up and run the tests
# Every target sets itself up first, so a fresh clone needs only make and a Python 3.10-3.13.
# PYTHON=/path/to/python3.12 picks the interpreter; otherwise scripts/setup_course.py finds one.
# DATA_DIR=path keeps the data (and a processed folder of your own, docs/data.md) there; SPLIT=per_user, time or a
# split file's path makes lesson 01 split that way; PARAMS="threshold=all" passes lesson parameters to run-all.
# BACKEND=jax runs Keras on JAX instead of TensorFlow (set-up adds JAX; docs/backends.md); KERAS_BACKEND sets it too.

PYTHON ?=
DATASET ?= ml-latest-small
BACKEND ?= $(or $(KERAS_BACKEND),tensorflow)
# ACCEPT_NEW_EDITION=1 lets the download (lesson 00) use a dataset edition other than the course's, knowingly.
ACCEPT_NEW_EDITION ?=
DATA_DIR ?=
SPLIT ?=
PARAMS ?=
DATA_FLAGS = $(addprefix --data-dir ,$(DATA_DIR)) $(addprefix --split ,$(SPLIT))
EDITION_FLAG := $(if $(filter 1 yes true,$(ACCEPT_NEW_EDITION)),--accept-new-edition)
VENV := .venv
PY := $(VENV)/bin/python
SETUP_STAMP := $(VENV)/.installed
BENCHMARK_STAMP := $(VENV)/.benchmark-installed
JAX_STAMP := $(VENV)/.jax-installed
# What BACKEND needs beyond the course's own set-up (TensorFlow is in requirements.lock).
BACKEND_STAMP := $(if $(filter tensorflow,$(BACKEND)),,$(if $(filter jax,$(BACKEND)),$(JAX_STAMP),backend-$(BACKEND)))
# Runs scripts/setup_course.py (any Python 3.8+ can), which then finds or checks the interpreter for .venv.
SETUP_RUNNER = $(firstword $(foreach name,python3 python3.13 python3.12 python3.11 python3.10 python,$(shell command -v $(name) 2>/dev/null)) $(PYTHON))
# Jupyter refuses to run as root (common in containers) unless told it is deliberate.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.DEFAULT_GOAL := help
.PHONY: help setup download run-all execute-notebooks test test-unit test-smoke test-nbval lab lock benchmark compare-backends scale-benchmark clean

help: ## List the targets with what each does
	@echo "Collaborative filtering with Keras: the course's commands (DATASET=$(DATASET), BACKEND=$(BACKEND))"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: $(SETUP_STAMP) $(BACKEND_STAMP) ## Find a Python 3.10-3.13, create .venv, install the lock with uv, install the course package, register the Jupyter kernel; BACKEND=jax adds JAX

$(SETUP_STAMP): requirements.lock pyproject.toml scripts/setup_course.py
	@test -n "$(SETUP_RUNNER)" || { echo "No python3 on PATH: install Python 3.10-3.13 (python.org, or your package manager), or name one with PYTHON=/path/to/python3.12"; exit 1; }
	@$(SETUP_RUNNER) scripts/setup_course.py $(if $(PYTHON),--python "$(PYTHON)")
	@touch $@

$(JAX_STAMP): requirements-jax.lock $(SETUP_STAMP)
	@$(PY) scripts/setup_course.py --backend jax
	@touch $@

# A BACKEND the course does not offer: set-up says why in one line.
backend-%: $(SETUP_STAMP)
	@$(PY) scripts/setup_course.py --backend $*

download: setup ## Fetch and verify DATASET into data/raw (honours MOVIELENS_MIRROR, ACCEPT_NEW_EDITION=1)
	$(PY) scripts/download_movielens.py --dataset $(DATASET) $(EDITION_FLAG)

run-all: setup ## Run every lesson headless into data/executed/DATASET/ and print the tables of models (on BACKEND; DATA_DIR, SPLIT, PARAMS)
	$(PY) scripts/run_course.py --dataset $(DATASET) --backend $(BACKEND) $(EDITION_FLAG) $(DATA_FLAGS) $(addprefix -p ,$(PARAMS))

.PHONY: experiment
experiment: setup ## Run lessons with other values, kept apart: make experiment LESSON=02_dot_product PARAMS="n_factors=10"
	$(PY) scripts/run_course.py --dataset $(DATASET) --backend $(BACKEND) $(EDITION_FLAG) $(DATA_FLAGS) $(addprefix --lesson ,$(LESSON)) $(addprefix -p ,$(PARAMS))

# The saved code first: the lessons re-executed after it import what they mark #@save. Then each lesson's
# Exercises and Solutions cells from its exercise module, so that the run fills in their outputs.
execute-notebooks: setup ## Maintainers: write the package's #@save modules and the lessons' exercise cells, then re-execute the committed notebooks in place on ml-latest-small (always on TensorFlow)
	$(PY) scripts/maintainers/generate_saved_code.py
	$(PY) scripts/maintainers/insert_exercises.py
	$(PY) scripts/run_course.py --in-place

test: test-unit test-smoke test-nbval ## Run every test: the three tiers below, in order

test-unit: setup $(JAX_STAMP) ## Unit tier: the package, downloads through a local HTTP server, JupyterLab, stored notebooks
	$(PY) -m pytest tests/unit

test-smoke: setup $(JAX_STAMP) ## Smoke tier: every lesson run by papermill on synthetic data with tiny parameters, on TensorFlow and on JAX
	$(PY) -m pytest tests/smoke

# The lessons themselves, from cfcourse.course.LESSONS: a learner's own notebooks beside them are never run.
LESSON_NOTEBOOKS = $(shell $(PY) -c "from cfcourse.course import LESSONS; print(*(f'notebooks/{name}.ipynb' for name in LESSONS))")
# Strict mode: a training lesson whose test RMSE drifts from the published one fails (it only informs learners).
# The committed outputs are TensorFlow's, so nbval runs on TensorFlow whatever BACKEND or KERAS_BACKEND say.
test-nbval: setup ## nbval tier: re-run the committed lessons on ml-latest-small and compare their outputs
	CFCOURSE_STRICT_CHECKS=1 KERAS_BACKEND=tensorflow $(PY) -m pytest --nbval $(LESSON_NOTEBOOKS) --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
	$(PY) -m pytest tests/nbval

# The kernels JupyterLab starts inherit its environment, so they run Keras on BACKEND.
lab: export KERAS_BACKEND := $(BACKEND)
lab: setup ## Open the lessons in JupyterLab (prints the URL to open); their kernels run Keras on BACKEND
	@echo "JupyterLab starts below; open the http://127.0.0.1:8888/lab?token=... URL it prints (with its own port and token)."
	$(VENV)/bin/jupyter lab --notebook-dir notebooks --no-browser --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT)

lock: setup ## Re-resolve requirements.lock, requirements-benchmark.lock and requirements-jax.lock for Python 3.10-3.13 on Linux, macOS and Windows
	$(PY) scripts/setup_course.py --lock

# Without DATASET= on the command line it covers ml-latest-small and ml-100k (and ml-1m once downloaded).
benchmark: setup $(JAX_STAMP) $(BENCHMARK_STAMP) ## Run the course on each dataset on TensorFlow and on JAX; time its models beside baselines and SVD; data/metrics/benchmark.md
	$(PY) scripts/maintainers/benchmark.py $(if $(filter command line environment,$(origin DATASET)),--dataset $(DATASET))

# scikit-surprise stays out of the course's own lock; only the benchmark installs it (from source: needs a C compiler).
$(BENCHMARK_STAMP): requirements-benchmark.lock $(SETUP_STAMP)
	$(PY) -m pip install --quiet -r requirements-benchmark.lock
	@touch $@

# Runs in a fresh clone of the committed HEAD, set up with PYTHON (else set-up's choice), so .venv here is left alone.
compare-backends: setup ## Maintainers: a fresh clone set up with PYTHON runs the course on TensorFlow and on JAX; writes that Python's table in docs/backends.md
	$(PY) scripts/maintainers/compare_backends.py $(if $(PYTHON),--python "$(PYTHON)") --dataset $(DATASET)

scale-benchmark: setup ## Run the course on generated data at 100k, 1M and 25M ratings; time and memory per lesson in data/metrics/scale.md (about an hour on 2 cores)
	$(PY) scripts/maintainers/scale_benchmark.py

clean: ## Delete downloaded data, processed data, models, metrics, experiments and executed copies (never the notebooks)
	rm -rf data/raw data/processed data/models data/metrics data/experiments data/executed
