"""Stage 1: which documents and sentences a briefing reads.

Every non-boilerplate sentence of a document is numbered (quotes and timeline draw on them);
a few informative ones, within a character budget, are shown to the model in the map stage.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from langchain_core.embeddings import Embeddings

from rag.brief.attribution import find_speakers, source_doc
from rag.brief.types import Scope, ScopedDocument, SourceDoc
from rag.ingest.sentences import split_sentences
from rag.retrieval import tokenize
from rag.types import DocumentRecord, Evidence, SearchHit

__all__ = ["boilerplate_reason", "build_scope", "informative_score", "scope_document"]

_TERMINAL = re.compile(r"[.!…”\"’)]$")
_AUTHOR_BOX = re.compile(r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,2} is an? [\w -]{0,40}"
                         r"(scientist|analyst|journalist|writer|editor|correspondent|expert|researcher|author)\b")
_HEDGE = re.compile(r"\b(supposedly|reportedly|allegedly|is (also )?reported|claimed|claims|unclear|uncertain|"
                    r"not yet|remains to be seen|could|might|may)\b", re.I)
_NUMBER = re.compile(r"\d")
_QUOTE = re.compile(r"[“\"]")


def boilerplate_reason(text: str) -> str | None:
    """Why a sentence is not article content (never cited), or None."""
    words = text.split()
    if "|" in text:
        return "table"
    if text.rstrip().endswith("?"):
        return "question"
    if len(words) < 6:
        return "fragment"
    if not _TERMINAL.search(text.rstrip()) and len(words) < 16:
        return "heading"
    if _AUTHOR_BOX.match(text):
        return "author-box"
    return None


def informative_score(text: str, speaker: bool, position: float) -> float:
    """Rules for what a briefing needs: statements by someone, figures, dates, direct quotes."""
    score = 0.0
    score += 1.0 if speaker else 0.0
    score += 0.5 if _NUMBER.search(text) else 0.0
    score += 0.5 if _QUOTE.search(text) else 0.0
    score += 0.5 * (1.0 - position)  # news puts the main point first
    score -= 0.5 if _HEDGE.search(text) and not speaker else 0.0
    return score


def _cosines(embeddings: Embeddings, query: Sequence[float], texts: list[str]) -> list[float]:
    vectors = embeddings.embed_documents(texts)
    return [sum(a * b for a, b in zip(query, v, strict=True)) for v in vectors]


def _inside(e: Evidence, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= e.start < b or a < e.end <= b for a, b in spans)


def scope_document(record: DocumentRecord, text: str, embeddings: Embeddings, *, topic: str | None,
                   topic_spans: Sequence[tuple[int, int]] | None, max_sentences: int, max_chars: int,
                   section_spans: Mapping[str, Sequence[tuple[int, int]]] | None = None) -> ScopedDocument:
    """Number the document's content sentences and pick the ones the model reads."""
    doc = source_doc(record)
    kept = [s for s in split_sentences(text) if boilerplate_reason(s.text) is None]
    sentences = tuple(Evidence(n=i, doc_id=record.id, file_name=record.file_name, title=record.title,
                               source=doc.label, start=s.start, end=s.end, text=s.text, score=0.0)
                      for i, s in enumerate(kept, start=1))
    speakers = find_speakers(sentences)
    if not sentences:
        return ScopedDocument(doc=doc, sentences=(), digest_sentences=(), speakers=speakers)
    texts = [e.text for e in sentences]
    if topic:
        relevance = _cosines(embeddings, embeddings.embed_query(topic), texts)
        terms = set(tokenize(topic))
        relevance = [r + 0.5 * len(terms & set(tokenize(t))) / max(len(terms), 1) for r, t in zip(relevance, texts,
                                                                                                  strict=True)]
    else:  # central sentences: close to the document's mean meaning
        vectors = embeddings.embed_documents(texts)
        centre = [sum(col) / len(vectors) for col in zip(*vectors, strict=True)]
        norm = math.sqrt(sum(c * c for c in centre)) or 1.0
        relevance = [sum(a * b for a, b in zip(centre, v, strict=True)) / norm for v in vectors]
    in_topic = [_inside(e, topic_spans) for e in sentences] if topic_spans is not None else [True] * len(sentences)
    ranked = sorted(
        (e for e, ok in zip(sentences, in_topic, strict=True) if ok),
        key=lambda e: informative_score(e.text, e.n in speakers, e.n / len(sentences))
        + (3.0 if topic else 2.5) * relevance[e.n - 1], reverse=True)
    picked: list[int] = []
    used = 0
    for e in ranked:
        if len(picked) == max_sentences:
            break
        if used + len(e.text) > max_chars and picked:
            continue
        picked.append(e.n)
        used += len(e.text)
    scored = tuple(e.model_copy(update={"score": round(relevance[e.n - 1], 4)}) for e in sentences)
    sections = {key: tuple(e.n for e in sentences if _inside(e, spans))
                for key, spans in (section_spans or {}).items()}
    return ScopedDocument(doc=doc, sentences=scored, digest_sentences=tuple(sorted(picked)), speakers=speakers,
                          sections=sections)


def _spans(hits: Sequence[SearchHit]) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for hit in hits:
        spans.setdefault(hit.chunk.doc_id, []).append((hit.chunk.start, hit.chunk.end))
    return spans


def build_scope(records: Sequence[DocumentRecord], texts: Mapping[str, str], embeddings: Embeddings, *,
                topic: str | None, hits: Sequence[SearchHit] | None, max_sentences: int, max_chars: int,
                section_hits: Mapping[str, Sequence[SearchHit]] | None = None) -> Scope:
    """Scope every document; with a topic, only the parts its retrieval found (others are off topic),
    and each section (facts, timeline, ...) only what its own retrieval found."""
    spans = _spans(hits or ())
    by_section = {key: _spans(section) for key, section in (section_hits or {}).items()}
    documents, off_topic = [], []
    for record in records:
        if topic and record.id not in spans:
            off_topic.append(source_doc(record))
            continue
        scoped = scope_document(record, texts[record.id], embeddings, topic=topic,
                                topic_spans=spans.get(record.id) if topic else None,
                                max_sentences=max_sentences, max_chars=max_chars,
                                section_spans={key: spans_.get(record.id, []) for key, spans_ in by_section.items()}
                                if topic else None)
        if scoped.digest_sentences:
            documents.append(scoped)
        else:
            off_topic.append(scoped.doc)
    return Scope(topic=topic, documents=tuple(documents), off_topic=tuple(off_topic))


def label_of(scope: Scope) -> dict[str, SourceDoc]:
    return {d.doc.doc_id: d.doc for d in scope.documents}
