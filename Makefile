# The README's commands: `make serve` (sets up, then serves the demo), `make test` (sets up, then
# runs everything); `make test-fast` for the edit loop (no slow, browser or Redis tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FAST := not slow and not browser and not redis

.PHONY: setup browser test test-fast lint serve demo-model openapi

setup: browser $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[train,dev]'
	touch $@

# Debian's Chromium and its driver, for the Swagger UI browser test (installed only if missing).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; }

test: setup lint
	$(BIN)/pytest -q

test-fast: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m '$(FAST)'

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

serve: $(INSTALLED)
	$(BIN)/logoscore serve

# Rebuild the committed demo model from registry packages: `make -j2 demo-model` (about 2 h 30 min
# on this project's 2-core CPU). Pretraining, fine-tuning and the head refit run on one thread
# each, so the weights do not depend on the machine's core count; with -j2 pretraining and the
# from-scratch fine-tune run side by side, and so do the two head refits. The recipe is
# logoscore-train's defaults; others: PRETRAIN_FLAGS / FINETUNE_FLAGS.
DEMO_FASTA := models/reference/GRCh37_chr20_1-6000000.fa
DEMO_VERSION := 0.5.0
ART := artifacts
TRAIN := $(BIN)/logoscore-train
TRAIN_1 := OMP_NUM_THREADS=1 $(TRAIN)
PRETRAIN_FLAGS ?=
FINETUNE_FLAGS ?=
demo-model: $(ART)/report/report.json $(ART)/extras/background.json
	$(BIN)/python -m model_export.cli --checkpoint $(ART)/logo.pt --extras $(ART)/extras \
		--report $(ART)/report/report.json --fasta $(DEMO_FASTA) --out models/demo \
		--version $(DEMO_VERSION)
	$(BIN)/python -m training.heldout_evaluation --model-dir models/demo --data $(ART)/chr20 \
		--cache $(ART)/test_split.npz
	$(BIN)/python -m model_export.model_card --model-dir models/demo

$(DEMO_FASTA):
	$(TRAIN) reference-slice --region 20:1-6000000 --out $@
# The demo's inputs, written as a lab writes its own (genome FASTA, peak BEDs, features.tsv),
# then the general prepare: the demo is one instance of the path a lab takes.
$(ART)/demo-inputs/features.tsv: | $(DEMO_FASTA)
	$(TRAIN) demo-inputs --out $(ART)/demo-inputs
$(ART)/chr20/dataset.json: $(ART)/demo-inputs/features.tsv
	$(TRAIN) prepare --fasta $(ART)/demo-inputs/GRCh37_chr20.fa --features $< \
		--validation-region 20:44000001-46000000 --test-region 20:50000001-54000000 \
		--token-group tf_motif --out $(ART)/chr20
$(ART)/pretrained.pt: $(ART)/chr20/dataset.json
	$(TRAIN_1) pretrain --data $(ART)/chr20 --out $@ $(PRETRAIN_FLAGS)
$(ART)/finetuned.pt: $(ART)/pretrained.pt
	$(TRAIN_1) finetune --data $(ART)/chr20 --out $@ --pretrained $< $(FINETUNE_FLAGS)
$(ART)/scratch.pt: $(ART)/chr20/dataset.json
	$(TRAIN_1) finetune --data $(ART)/chr20 --out $@ $(FINETUNE_FLAGS)
$(ART)/logo.pt: $(ART)/finetuned.pt
	$(TRAIN_1) refit-head --data $(ART)/chr20 --checkpoint $< --out $@
$(ART)/logo_scratch.pt: $(ART)/scratch.pt
	$(TRAIN_1) refit-head --data $(ART)/chr20 --checkpoint $< --out $@
$(ART)/report/report.json: $(ART)/logo.pt $(ART)/logo_scratch.pt
	$(TRAIN) report --data $(ART)/chr20 --out $(ART)/report \
		--checkpoint logo_pretrained=$(ART)/logo.pt --checkpoint logo_scratch=$(ART)/logo_scratch.pt
$(ART)/extras/background.json: $(ART)/logo.pt
	$(TRAIN) background --data $(ART)/chr20 --checkpoint $< --out $(ART)/extras

openapi:
	$(BIN)/python -m service.cli openapi > openapi/openapi.json
