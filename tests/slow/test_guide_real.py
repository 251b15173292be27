"""Slow: a source guide for one seed article with the real embedded models."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from rag.config import REPO_ROOT, Settings
from rag.local_llm import prepare_model
from rag.service import Service

pytestmark = pytest.mark.slow

ARTICLE = "003_cb3a59321c21f76c.txt"


def test_guide_summary_is_verbatim_cited_and_supported(tmp_path) -> None:
    shutil.copy(REPO_ROOT / "seeds" / ARTICLE, tmp_path / ARTICLE)
    model_path = REPO_ROOT / "data" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    prepare_model(model_path)
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", llm_model_path=model_path, chroma_host=None)
    service = Service(settings)
    service.ingest([tmp_path / ARTICLE])
    started = time.perf_counter()
    guide = service.guide(ARTICLE)
    seconds = time.perf_counter() - started
    text = service.source(ARTICLE).text
    assert 3 <= len(guide.summary) <= 5, guide.flags
    for sentence in guide.sentences:
        assert sentence.citations
        for c in sentence.citations:
            assert c.file_name == ARTICLE and text[c.start:c.end] == c.quote
        assert sentence.verdict is not None and sentence.verdict.label == "supported", sentence
    assert 3 <= len(guide.topics) <= 6 and 3 <= len(guide.questions) <= 5
    for q in guide.questions:
        assert text[q.passage.start:q.passage.end] == q.passage.quote
    out = REPO_ROOT / "test-output" / "guide-real.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"article": ARTICLE, "seconds": round(seconds, 1), "timings": guide.timings,
                               "flags": guide.flags}, indent=1))
    assert service.guide(ARTICLE) == guide  # cached: no second model run
