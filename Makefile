# sourcebrief: `make run` sets everything up and serves; `make test` runs the whole suite.
# Both are idempotent: each step is skipped when its output is already up to date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: install model browser ingest run test test-fast lint docs bench bench-ingest bench-embed bench-answer bench-answer-suite bench-evidence bench-source bench-brief bench-stance bench-guide bench-load bench-scale bench-notebooks clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# llama-cpp-python has no Linux wheel: pip builds it once (6-10 min) and caches the wheel.
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

model: install
	$(BIN)/sourcebrief model prepare

ingest: model
	$(BIN)/sourcebrief ingest seeds

# The app's browser tests drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: ingest
	$(BIN)/sourcebrief doctor
	$(BIN)/sourcebrief sources
	$(BIN)/sourcebrief serve

test: model browser
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: install
	$(BIN)/ruff check rag ui evals tests benchmarks docs
	$(BIN)/mypy rag ui evals

docs: install
	$(BIN)/python docs/generate.py

bench: bench-embed bench-ingest bench-answer bench-answer-suite bench-evidence bench-source bench-brief bench-stance bench-guide bench-load bench-scale bench-notebooks

bench-ingest: install
	$(BIN)/python benchmarks/split.py
	$(BIN)/python benchmarks/ingest.py

bench-embed: install
	$(BIN)/python benchmarks/embed.py

bench-answer: model
	$(BIN)/python benchmarks/answer.py

bench-answer-suite: model
	$(BIN)/python benchmarks/answer_suite.py

bench-evidence: model
	$(BIN)/python benchmarks/evidence_recall.py

bench-source: model
	$(BIN)/python benchmarks/source_recall.py

bench-notebooks: install
	$(BIN)/python benchmarks/notebooks.py

bench-brief: model
	$(BIN)/python benchmarks/brief.py

bench-stance: model
	$(BIN)/python benchmarks/stance.py

bench-guide: model
	$(BIN)/python benchmarks/guide.py

bench-load: model
	$(BIN)/python benchmarks/load.py --provider both --clients 1,4,16

bench-scale: install
	$(BIN)/python benchmarks/scale.py --sizes 10000,100000,300000

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .mypy_cache
