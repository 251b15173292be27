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
from rag.brief.types import Scope, ScopedDocument, TopicJudgement
from rag.evidence import headline_evidence, is_author_box
from rag.ingest.sentences import split_sentences
from rag.retrieval import tokenize
from rag.types import DocumentRecord, Evidence, SearchHit

__all__ = ["boilerplate_reason", "build_scope", "informative_score", "scope_document", "topic_relevance"]

_TERMINAL = re.compile(r"[.!…”\"’)]$")
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
    if is_author_box(text):
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


def topic_relevance(embeddings: Embeddings, topic: str, texts: list[str],
                    topic_vector: Sequence[float] | None = None) -> list[float]:
    """How much each text speaks to a topic: cosine of meaning plus half the share of the topic's words it uses
    (on the seeds: on-topic sentences 1.0-1.2, a recipe 0.05, Azerbaijan's gas exports 0.52)."""
    if not texts:
        return []
    query = topic_vector if topic_vector is not None else embeddings.embed_query(topic)
    terms = set(tokenize(topic))
    return [r + 0.5 * len(terms & set(tokenize(t))) / max(len(terms), 1)
            for r, t in zip(_cosines(embeddings, query, texts), texts, strict=True)]


def _inside(e: Evidence, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= e.start < b or a < e.end <= b for a, b in spans)


def scope_document(record: DocumentRecord, text: str, embeddings: Embeddings, *, topic: str | None,
                   topic_spans: Sequence[tuple[int, int]] | None, max_sentences: int, max_chars: int,
                   section_spans: Mapping[str, Sequence[tuple[int, int]]] | None = None,
                   topic_vector: Sequence[float] | None = None) -> ScopedDocument:
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
        relevance = topic_relevance(embeddings, topic, texts, topic_vector)
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
                          sections=sections, headline=headline_evidence(record, text, source_doc(record).label))



def _spans(hits: Sequence[SearchHit]) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for hit in hits:
        spans.setdefault(hit.chunk.doc_id, []).append((hit.chunk.start, hit.chunk.end))
    return spans


def _judge(scoped: ScopedDocument, record: DocumentRecord, embeddings: Embeddings, topic: str,
           topic_vector: Sequence[float] | None, min_score: float, spans: Sequence[tuple[int, int]]) -> TopicJudgement:
    """A document speaks to the topic when its closest sentence (among the parts retrieval found for it), or its
    title, scores `min_score`: judged on its own, so a short document is never crowded out by long ones."""
    shown = [e for e in scoped.sentences if _inside(e, spans)] or list(scoped.sentences)
    best = max(shown, key=lambda e: e.score, default=None)
    score, passage = (best.score, best.text) if best is not None else (float("-inf"), "")
    if record.title:
        [title] = topic_relevance(embeddings, topic, [record.title], topic_vector)
        if title > score:
            score, passage = title, record.title
    return TopicJudgement(doc=scoped.doc, used=score >= min_score, score=round(max(score, -1.0), 3), passage=passage)


def build_scope(records: Sequence[DocumentRecord], texts: Mapping[str, str], embeddings: Embeddings, *,
                topic: str | None, hits: Sequence[SearchHit] | None, max_sentences: int, max_chars: int,
                section_hits: Mapping[str, Sequence[SearchHit]] | None = None,
                doc_hits: Mapping[str, Sequence[SearchHit]] | None = None, min_score: float = 0.6) -> Scope:
    """Scope every document. With a topic, each document is read in the parts retrieval found, overall
    (`hits`) or within that document alone (`doc_hits`), and is used only when its closest passage speaks to
    the topic (`min_score`); each section (facts, timeline, ...) reads only what its own retrieval found."""
    spans = _spans(hits or ())
    own = _spans([h for doc_found in (doc_hits or {}).values() for h in doc_found])
    for doc_id, doc_spans in own.items():
        spans.setdefault(doc_id, []).extend(doc_spans)
    by_section = {key: _spans(section) for key, section in (section_hits or {}).items()}
    topic_vector = embeddings.embed_query(topic) if topic else None
    documents, off_topic, judged = [], [], []
    for record in records:
        if topic and record.id not in spans:
            off_topic.append(source_doc(record))
            judged.append(TopicJudgement(doc=source_doc(record), used=False, score=-1.0))
            continue
        scoped = scope_document(record, texts[record.id], embeddings, topic=topic,
                                topic_spans=spans.get(record.id) if topic else None,
                                max_sentences=max_sentences, max_chars=max_chars,
                                section_spans={key: spans_.get(record.id, []) for key, spans_ in by_section.items()}
                                if topic else None, topic_vector=topic_vector)
        if topic:
            judgement = _judge(scoped, record, embeddings, topic, topic_vector, min_score, spans[record.id])
            judged.append(judgement)
            if not judgement.used:
                off_topic.append(scoped.doc)
                continue
        if scoped.digest_sentences:
            documents.append(scoped)
        else:
            off_topic.append(scoped.doc)
    return Scope(topic=topic, documents=tuple(documents), off_topic=tuple(off_topic), judged=tuple(judged),
                 min_score=min_score if topic else 0.0)

