"""Slow: the embedded model behind llama.cpp's OpenAI-compatible server, used through the openai provider."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rag.config import REPO_ROOT, Settings
from rag.local_llm import prepare_model
from rag.service import Service

pytestmark = pytest.mark.slow

MODEL = REPO_ROOT / "data" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    prepare_model(MODEL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    env = {**os.environ, "SOURCEBRIEF_LLM_MODEL_PATH": str(MODEL), "SOURCEBRIEF_LLM_CONTEXT": "4096"}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "rag", "model", "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("llama.cpp server did not start: " + log.read_text()[-2000:])
        time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_cited_answer_through_the_openai_provider(llm_url: str, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", chroma_host=None, llm_provider="openai",
                        openai_base_url=llm_url, llm_model="local", llm_timeout=300, verify_mode="off")
    service = Service(settings)
    service.ingest([REPO_ROOT / "seeds"])
    events = list(service.ask_stream("According to SIPRI, what share of Armenia's arms imports came from Russia?"))
    assert sum(e.kind == "partial" for e in events) >= 2  # streamed over HTTP
    answer = events[-1].answer
    assert answer is not None and not answer.refused
    cited = [c for s in answer.sentences for c in s.citations]
    assert cited and "94" in answer.text
    for c in cited:
        assert service.source(c.doc_id).text[c.start:c.end] == c.quote
