# The two commands the README gives: `make setup`, then `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup browser test lint demo-model openapi

setup: browser
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[train,dev]'

# Debian's Chromium and its driver, for the Swagger UI browser test (installed only if missing).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; }

test: lint
	$(BIN)/pytest -q

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Rebuild the committed demo model from registry packages (about 2.5 h on 2 CPU cores).
# Longer runs, e.g. on a GPU: make demo-model PRETRAIN_FLAGS="--batch-size 256 --steps 8000
# --learning-rate 1e-3 --warmup-steps 500 --linear-decay" FINETUNE_FLAGS="..."
DEMO_FASTA := models/reference/GRCh37_chr20_1-6000000.fa
TRAIN := $(BIN)/logoscore-train
PRETRAIN_FLAGS ?=
FINETUNE_FLAGS ?=
demo-model:
	$(TRAIN) reference-slice --region 20:1-6000000 --out $(DEMO_FASTA)
	$(TRAIN) prepare --out artifacts/chr20
	$(TRAIN) pretrain --data artifacts/chr20 --out artifacts/pretrained.pt $(PRETRAIN_FLAGS)
	$(TRAIN) finetune --data artifacts/chr20 --out artifacts/finetuned.pt --pretrained artifacts/pretrained.pt $(FINETUNE_FLAGS)
	$(TRAIN) finetune --data artifacts/chr20 --out artifacts/scratch.pt $(FINETUNE_FLAGS)
	$(TRAIN) report --data artifacts/chr20 --out artifacts/report \
		--checkpoint logo_pretrained=artifacts/finetuned.pt --checkpoint logo_scratch=artifacts/scratch.pt
	$(TRAIN) background --data artifacts/chr20 --checkpoint artifacts/finetuned.pt --out artifacts/extras
	$(BIN)/python -m model_export.cli --checkpoint artifacts/finetuned.pt --extras artifacts/extras \
		--report artifacts/report/report.json --fasta $(DEMO_FASTA) --out models/demo --version 0.3.0

openapi:
	$(BIN)/python -m service.cli openapi > openapi/openapi.json
