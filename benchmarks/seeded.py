"""What the model benchmarks share: a fresh service over the seeds, and timed plain-prompt baselines."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from rag.config import REPO_ROOT, Settings
from rag.service import Service
from rag.types import ChatTurn, CitedAnswer, VerifyMode


def seeded_service(data_dir: Path, **settings: Any) -> Service:
    """A service on an empty `data_dir` with the app's joined local model (no Chroma server), seeds ingested."""
    model_path = Settings(_env_file=None).local_llm_path.resolve()
    service = Service(Settings(_env_file=None, data_dir=data_dir, llm_model_path=model_path, chroma_host=None,
                               **settings))
    service.ingest([REPO_ROOT / "seeds"])
    return service


STUFF_PROMPT = ("Use the following pieces of context to answer the question at the end. If you don't know the "
                "answer, just say that you don't know, don't try to make up an answer.\n\n{context}\n\n"
                "Question: {question}\nHelpful Answer:")


def stuff_service(data_dir: Path, ours: Service) -> Service:
    """The plain LangChain recipe's index: the seeds in chunks of 1,000 characters (200 overlapping),
    sharing `ours`' embedding and chat models."""
    base = Service(Settings(_env_file=None, data_dir=data_dir, chroma_host=None, chunk_size=1000, chunk_overlap=200,
                            llm_model_path=ours.settings.llm_model_path),
                   embeddings=ours.embeddings, chat_model=ours.chat_model)
    base.ingest([REPO_ROOT / "seeds"])
    return base


def stuff_messages(base: Service, question: str) -> list[BaseMessage]:
    """LangChain's classic "stuff" QA: the top-4 chunks by embedding, stuffed into one prompt."""
    vector = base.embeddings.embed_query(question)
    context = "\n\n".join(c.text for c, _ in base.store.query(vector, 4))
    return [SystemMessage(content="You are a helpful assistant."),
            HumanMessage(content=STUFF_PROMPT.format(context=context, question=question))]


def timed_stream(model: Any, messages: list[BaseMessage]) -> tuple[float, float, str, int]:
    """Stream one reply from an empty live KV cache (saved prefix states stay, as in the app): first
    token and total seconds, the text and the prompt tokens."""
    model.llm.reset()
    started = time.perf_counter()
    first, text, prompt_tokens = 0.0, "", 0
    for chunk in model.stream(messages):
        if chunk.content and not first:
            first = time.perf_counter() - started
        text += str(chunk.content)
        if chunk.usage_metadata:
            prompt_tokens = chunk.usage_metadata["input_tokens"]
    return first, time.perf_counter() - started, text, prompt_tokens


def timed_answer(service: Service, question: str, history: Sequence[ChatTurn] = (),
                 verify: VerifyMode | None = None) -> tuple[float, float, CitedAnswer]:
    """Ask from an empty live KV cache: seconds to the first streamed answer text (to the answer, for a
    refusal given before the model is asked), total seconds, the answer."""
    service.chat_model.llm.reset()  # type: ignore[attr-defined]
    started = time.perf_counter()
    first, answer = 0.0, None
    for event in service.ask_stream(question, history, verify=verify):
        if event.kind == "partial" and not first:
            first = time.perf_counter() - started
        answer = event.answer or answer
    assert answer is not None
    total = time.perf_counter() - started
    return first or total, total, answer


def timed_baseline(service: Service, prompt: str, max_tokens: int) -> tuple[AIMessage, float]:
    """One plain prompt (a generic system line, no evidence selection, no citations) from an empty KV
    cache: the reply and its seconds."""
    service.chat_model.llm.reset()  # type: ignore[attr-defined]
    started = time.perf_counter()
    reply = service.chat_model.invoke([SystemMessage(content="You are a helpful assistant."),
                                       HumanMessage(content=prompt)], max_tokens=max_tokens)
    return reply, time.perf_counter() - started  # type: ignore[return-value]
