"""What the model benchmarks share: a fresh service over the seeds, and a timed plain-prompt baseline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from rag.config import REPO_ROOT, Settings
from rag.service import Service


def seeded_service(data_dir: Path, **settings: Any) -> Service:
    """A service on an empty `data_dir` with the app's joined local model (no Chroma server), seeds ingested."""
    model_path = Settings(_env_file=None).local_llm_path.resolve()
    service = Service(Settings(_env_file=None, data_dir=data_dir, llm_model_path=model_path, chroma_host=None,
                               **settings))
    service.ingest([REPO_ROOT / "seeds"])
    return service


def timed_baseline(service: Service, prompt: str, max_tokens: int) -> tuple[AIMessage, float]:
    """One plain prompt (a generic system line, no evidence selection, no citations) from an empty KV
    cache: the reply and its seconds."""
    service.chat_model.llm.reset()  # type: ignore[attr-defined]
    started = time.perf_counter()
    reply = service.chat_model.invoke([SystemMessage(content="You are a helpful assistant."),
                                       HumanMessage(content=prompt)], max_tokens=max_tokens)
    return reply, time.perf_counter() - started  # type: ignore[return-value]
