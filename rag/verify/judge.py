"""The LLM judge: P(Yes) that a passage supports a claim, from the configured chat model.

The local model's score comes from its first-token logits (Yes vs No); an OpenAI-compatible
server's from `logprobs`; a model that gives neither is read as a plain Yes/No answer.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from rag.chat_models import LocalChatModel, first_token_probability
from rag.evidence import SentenceVectors
from rag.ingest.sentences import split_sentences
from rag.prompts import Prompt
from rag.retrieval import tokenize

__all__ = ["LlmJudge", "trim_passage"]

log = logging.getLogger(__name__)

_YES = ["Yes", "yes", " Yes", "YES"]
_NO = ["No", "no", " No", "NO"]


def trim_passage(claim: str, passage: str, embeddings: Embeddings | None, max_chars: int = 1500,
                 vectors: SentenceVectors | None = None, claim_vector: Sequence[float] | None = None) -> str:
    """The passage sentences that bear most on the claim, in their original order, within max_chars.

    Short passages are returned whole. Sentences are ranked by cosine similarity (when embeddings
    are given) plus shared content words, so a claim needing two sentences gets both (the union).
    `vectors` keeps the passage sentences' embeddings for the next claim on the same passage;
    `claim_vector` is the claim's, when the caller has embedded it already.
    """
    if len(passage) <= max_chars:
        return passage
    sentences = split_sentences(passage)
    terms = set(tokenize(claim))
    lexical = [len(terms & set(tokenize(s.text))) / max(len(terms), 1) for s in sentences]
    if embeddings is not None:
        texts = [s.text for s in sentences]
        matrix = vectors.get(texts) if vectors is not None else np.asarray(embeddings.embed_documents(texts))
        query = claim_vector if claim_vector is not None else embeddings.embed_query(claim)
        dense = (matrix @ np.asarray(query, dtype=matrix.dtype)).tolist()
    else:
        dense = [0.0] * len(sentences)
    order = sorted(range(len(sentences)), key=lambda i: 0.6 * dense[i] + 0.4 * lexical[i], reverse=True)
    chosen: list[int] = []
    used = 0
    for i in order:
        size = len(sentences[i].text) + 1
        if used + size > max_chars and chosen:
            continue
        chosen.append(i)
        used += size
    return " ".join(sentences[i].text for i in sorted(chosen))


def _logprob_yes(metadata: dict[str, Any]) -> float | None:
    """P(yes) from an OpenAI-style logprobs block of the first generated token."""
    content = (metadata.get("logprobs") or {}).get("content") or []
    if not content:
        return None
    yes = no = 0.0
    for item in content[0].get("top_logprobs") or []:
        word = str(item.get("token", "")).strip().lower()
        if word.startswith("yes"):
            yes += math.exp(item["logprob"])
        elif word.startswith("no"):
            no += math.exp(item["logprob"])
    return yes / (yes + no) if yes + no > 0 else None


class LlmJudge:
    """Scores support with one short fact-checking prompt per (claim, passage)."""

    def __init__(self, chat_model: BaseChatModel, prompt: Prompt, model_name: str) -> None:
        self.model = chat_model
        self.prompt = prompt
        # The name keys the verdict cache: it must change with the model and the prompt version.
        self.name = f"llm:{model_name}:{prompt.ref}"

    def _messages(self, claim: str, passage: str) -> list[BaseMessage]:
        system, user = self.prompt.render(claim=claim, passage=passage)
        return [SystemMessage(content=system), HumanMessage(content=user)]

    def probability(self, claim: str, passage: str) -> float:
        messages = self._messages(claim, passage)
        if isinstance(self.model, LocalChatModel):
            return first_token_probability(self.model.llm, messages, _YES, _NO)
        reply = self.model.bind(logprobs=True, top_logprobs=5, max_tokens=2).invoke(messages)
        scored = _logprob_yes(reply.response_metadata or {})
        if scored is not None:
            return scored
        text = str(reply.content).strip().lower()
        return 0.95 if text.startswith("yes") else 0.05
