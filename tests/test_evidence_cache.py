"""Sentence embeddings kept for evidence selection, and embedded ahead when the app starts."""

from __future__ import annotations

import json
from pathlib import Path

from rag.chat_models import ScriptedChatModel
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.evidence import SentenceVectors
from rag.service import Service


class CountingEmbeddings(HashingEmbeddings):
    """Deterministic embeddings that count what they embed."""

    def __init__(self) -> None:
        super().__init__()
        self.documents = 0
        self.queries = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += len(texts)
        return super().embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return super().embed_query(text)


def _service(settings: Settings, embeddings: HashingEmbeddings) -> Service:
    reply = json.dumps({"sentences": [{"text": "A point.", "citations": [1]}]})
    return Service(settings, embeddings=embeddings, chat_model=ScriptedChatModel(responder=lambda _: reply))


def test_after_warming_a_question_embeds_only_itself_and_picks_the_same_evidence(settings: Settings,
                                                                                 seeds_copy: Path) -> None:
    question = "What did Zakharova say about the CSTO?"
    cold = _service(settings.model_copy(update={"evidence_cache_sentences": 0}), HashingEmbeddings())
    cold.ingest([seeds_copy])
    expected = [(e.doc_id, e.start, e.score) for e in cold.ask(question).evidence]

    embeddings = CountingEmbeddings()
    warm = _service(settings, embeddings)
    warm.ingest([seeds_copy])
    chunks, sentences = warm.warm()
    assert chunks > 0 and sentences > chunks  # every chunk has several sentences
    embeddings.documents = embeddings.queries = 0
    answer = warm.ask(question)
    assert embeddings.documents == 0, "evidence sentences were embedded again"
    assert embeddings.queries == 1, "retrieval and evidence selection must share the question's embedding"
    assert [(e.doc_id, e.start, e.score) for e in answer.evidence] == expected


def test_sentence_vectors_keep_the_most_recent_and_embed_only_what_is_new() -> None:
    embeddings = CountingEmbeddings()
    vectors = SentenceVectors(embeddings, max_items=2)
    first = vectors.get(["one two", "three four"])
    assert first.shape == (2, 256) and embeddings.documents == 2
    again = vectors.get(["three four", "one two", "three four"])
    assert embeddings.documents == 2 and (again[1] == first[0]).all()
    vectors.get(["five six"])  # evicts the least recently used: "one two" ("three four" was used last)
    assert embeddings.documents == 3 and len(vectors) == 2
    vectors.get(["three four"])
    assert embeddings.documents == 3
    vectors.get(["one two"])
    assert embeddings.documents == 4


def test_a_collection_too_large_for_the_cache_is_not_embedded_ahead(settings: Settings, seeds_copy: Path) -> None:
    embeddings = CountingEmbeddings()
    service = _service(settings.model_copy(update={"evidence_cache_sentences": 50}), embeddings)
    service.ingest([seeds_copy])
    embeddings.documents = 0
    assert service.warm()[1] == 0 and embeddings.documents == 0
