"""The one module that creates models. Everything else sees LangChain interfaces."""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.config import Settings
from rag.errors import ConfigError

__all__ = ["make_embeddings", "embedding_id", "make_chat_model"]

log = logging.getLogger(__name__)


def embedding_id(settings: Settings) -> str:
    """Identity of the embedding space; a collection is tied to one."""
    if settings.embedding_provider == "openai":
        return f"openai:{settings.embedding_model}"
    if settings.embedding_provider == "fake":
        return "fake:hashing-256"
    # Both local backends run the same model and give interchangeable vectors.
    return "local:all-MiniLM-L6-v2"


def _openai_kwargs(settings: Settings) -> dict[str, Any]:
    if not settings.openai_base_url and settings.openai_api_key is None:
        raise ConfigError("openai provider needs SOURCEBRIEF_OPENAI_BASE_URL (or SOURCEBRIEF_OPENAI_API_KEY for OpenAI)")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return {"base_url": settings.openai_base_url, "api_key": key, "timeout": settings.llm_timeout,
            "max_retries": settings.llm_max_retries}


def make_embeddings(settings: Settings) -> Embeddings:
    """Embeddings for the configured provider."""
    if settings.embedding_provider == "fake":
        from rag.embeddings import HashingEmbeddings

        return HashingEmbeddings()
    if settings.embedding_provider == "openai":
        from langchain_openai import OpenAIEmbeddings

        # check_embedding_ctx_length=False sends plain strings, which non-OpenAI servers expect.
        return OpenAIEmbeddings(model=settings.embedding_model, check_embedding_ctx_length=False,
                                chunk_size=settings.embedding_batch_size, **_openai_kwargs(settings))
    if settings.embedding_backend == "torch":
        from rag.embeddings import TorchMiniLM

        return TorchMiniLM(threads=settings.llm_threads, batch_size=settings.embedding_batch_size)
    from rag.embeddings import OnnxMiniLM

    return OnnxMiniLM(threads=settings.llm_threads, batch_size=settings.embedding_batch_size)


def make_chat_model(settings: Settings) -> Any:
    """A LangChain chat model for the configured provider (local lands with the answer chain)."""
    if settings.llm_provider == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=settings.llm_model, temperature=0, **_openai_kwargs(settings))
    if settings.llm_provider == "fake":
        from langchain_core.language_models.fake_chat_models import FakeListChatModel

        return FakeListChatModel(responses=["OK"])
    raise ConfigError("the local chat model is used through rag.local_llm until the answer chain exists")
