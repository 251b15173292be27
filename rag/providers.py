"""The one module that creates models. Everything else sees LangChain interfaces."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel

from rag.config import Settings
from rag.errors import ConfigError
from rag.prompts import REFUSAL

if TYPE_CHECKING:
    from rag.verify.verifier import Calibration, Verifier

__all__ = [
    "chat_model_name",
    "embedding_id",
    "make_chat_model",
    "make_embeddings",
    "make_verifier",
    "provider_hint",
    "structured_output_kwargs",
]

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
        raise ConfigError("the openai provider needs SOURCEBRIEF_OPENAI_BASE_URL "
                          "(or SOURCEBRIEF_OPENAI_API_KEY for OpenAI itself)")
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


def make_chat_model(settings: Settings) -> BaseChatModel:
    """A LangChain chat model for the configured provider; all stream."""
    if settings.llm_provider == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=settings.llm_model, temperature=0, stream_usage=True, **_openai_kwargs(settings))
    if settings.llm_provider == "fake":
        from rag.chat_models import ScriptedChatModel

        return ScriptedChatModel(responder=_fake_reply)
    from rag.chat_models import LocalChatModel
    from rag.local_llm import load_local_llm

    return LocalChatModel(llm=load_local_llm(settings), model_name=settings.local_llm_path.name)


def structured_output_kwargs(settings: Settings, schema: dict[str, Any],
                             prefill: tuple[str, str] | None = None) -> dict[str, Any]:
    """How to ask this provider for JSON that follows `schema` (empty when turned off). For the
    embedded model, `prefill` (the reply's opening, a grammar for the rest) replaces the schema:
    the scaffolding is then read with the prompt, not generated token by token."""
    if not settings.structured_output or settings.llm_provider == "fake":
        return {}
    if settings.llm_provider == "local":
        if prefill is not None:
            return {"prefill": prefill[0], "grammar": prefill[1]}
        return {"response_format": {"type": "json_object", "schema": schema}}
    return {"response_format": {"type": "json_schema",
                                "json_schema": {"name": "cited_answer", "schema": schema}}}


def make_verifier(settings: Settings, chat_model: BaseChatModel, embeddings: Embeddings,
                  calibration: Calibration | None = None) -> Verifier:
    """The faithfulness verifier: LLM judge (+ NLI model when configured) + deterministic checks, judging
    with `calibration` (default: read from `settings.verify_calibration`)."""
    from rag.prompts import load_prompt
    from rag.verify.judge import LlmJudge
    from rag.verify.verifier import VerdictCache, Verifier, load_calibration

    scorers: list[Any] = [LlmJudge(chat_model, load_prompt(settings.prompts_dir, "verify_claim"),
                                   f"{settings.llm_provider}:{chat_model_name(settings)}")]
    if settings.nli_model_path is not None:
        from rag.verify.nli import NliScorer

        scorers.append(NliScorer(settings.nli_model_path))
    cache = VerdictCache(settings.data_dir / "cache" / "verdicts.sqlite")
    calibration = calibration or load_calibration(settings.verify_calibration)
    return Verifier(scorers, calibration=calibration, embeddings=embeddings,
                    cache=cache, max_passage_chars=settings.verify_passage_chars)


def provider_hint(settings: Settings) -> str:
    """Which settings to check when the chat model fails."""
    if settings.llm_provider == "openai":
        return (f"check SOURCEBRIEF_OPENAI_BASE_URL ({settings.openai_base_url or 'OpenAI'}), "
                f"SOURCEBRIEF_LLM_MODEL ({settings.llm_model}) and SOURCEBRIEF_OPENAI_API_KEY")
    if settings.llm_provider == "local":
        return "check SOURCEBRIEF_LLM_MODEL_PATH and run `sourcebrief doctor`"
    return "the fake provider is for tests"


def chat_model_name(settings: Settings) -> str:
    return {"local": settings.local_llm_path.name, "openai": settings.llm_model}.get(settings.llm_provider, "fake")


def _fake_reply(messages: list[Any]) -> str:
    """The fake provider cites the first evidence sentence verbatim: enough to run the app without a model.

    As a judge it says Yes when every content word of the claim occurs in the passage.
    """
    prompt = str(messages[-1].content)
    if prompt.startswith("Article:"):  # briefing digest: the first two sentences' opening words as claims
        shown = re.findall(r"^\[(\d+)\] (.+)$", prompt, re.M)[:2]
        claims = [{"who": "", "claim": " ".join(text.split()[:12]), "sentences": [int(n)]} for n, text in shown]
        return json.dumps({"claims": claims}, ensure_ascii=False)
    if prompt.startswith("Guide for:"):  # source guide: names in the points as topics, a question on each
        names = re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b", prompt.split("\n", 1)[-1])
        topics = list(dict.fromkeys(names))[:4]
        return json.dumps({"topics": topics, "questions": [f"What is said about {t}?" for t in topics]},
                          ensure_ascii=False)
    if prompt.endswith("Answer (agree, neither or contradict):"):  # briefing stance check
        return "neither"
    if "Is the claim fully supported" in prompt:
        passage = prompt.split("Passage:", 1)[-1].split("\nClaim:", 1)[0]
        claim = prompt.split("Claim:", 1)[-1].split("\n", 1)[0]
        words = set(re.findall(r"\w+", passage.lower()))
        return "Yes" if set(re.findall(r"\w+", claim.lower())) <= words else "No"
    match = re.search(r"^\[1\] \([^)]*\) (.+)$", prompt, re.M)
    if "Stand-alone question:" in prompt:
        return prompt.split("Last question:", 1)[-1].split("\n", 1)[0].strip()
    if match is None:
        return json.dumps({"sentences": [{"text": REFUSAL, "citations": []}]})
    return json.dumps({"sentences": [{"text": match.group(1), "citations": [1]}]}, ensure_ascii=False)
