"""Who says what: evidence gathered per source for comparative questions, answered source by source.

"How do the sources differ on ...?" answered from the top-k sentences overall hears the sources that
repeat the question's words and drops the one that argues the opposite. Here each document that
speaks to the question contributes its own best sentences, and the answer gives one attributed,
cited sentence per source: the source's best sentence quoted verbatim (a view in its own words cannot
be misattributed or laundered into fact). Documents with nothing relevant enough are named as silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from langchain_core.embeddings import Embeddings

from rag.evidence import SentenceVectors, select_evidence
from rag.guard import quote_sentence
from rag.retrieval import HybridRetriever, tokenize
from rag.types import AnswerSentence, DocumentRecord, Evidence, SearchHit

__all__ = ["by_source_answer", "per_source_evidence"]

# Words of a comparative question that say how to compare, not what about.
_FRAMING = frozenset("source sources outlet outlets article articles differ difference agree disagree compare "
                     "view views portray describe each whether".split())
_MAX_SOURCES = 8  # documents heard per comparative question (the best-retrieved ones beyond that)


def _candidate_documents(hits: Sequence[SearchHit], records: Mapping[str, DocumentRecord],
                         doc_ids: Sequence[str] | None) -> list[str]:
    """The ticked documents, else every document of a small collection, else those retrieval found."""
    if doc_ids:
        return list(dict.fromkeys(doc_ids))[:_MAX_SOURCES]
    if len(records) <= _MAX_SOURCES:
        return list(records)
    return list(dict.fromkeys(h.chunk.doc_id for h in hits))[:_MAX_SOURCES]


def per_source_evidence(question: str, hits: Sequence[SearchHit], retriever: HybridRetriever,
                        embeddings: Embeddings, records: Mapping[str, DocumentRecord], *,
                        doc_ids: Sequence[str] | None, min_score: float, per_source: int = 2,
                        max_chars: int = 1600, vectors: SentenceVectors | None = None,
                        query_vector: Sequence[float] | None = None) -> tuple[list[Evidence], list[str]]:
    """Each candidate document's best sentences for the question (at most `per_source`, scoring at least
    `min_score`), numbered from 1 source by source, best source first; and the documents with none."""
    titles = {r.id: (r.file_name, r.title) for r in records.values()}
    terms = set(tokenize(question)) - _FRAMING
    chosen: list[list[Evidence]] = []
    silent: list[str] = []
    for doc_id in _candidate_documents(hits, records, doc_ids):
        own = retriever.search(question, 2, [doc_id], titles, query_vector=query_vector)
        picked = [e for e in select_evidence(question, own, embeddings, records, max_sentences=per_source,
                                             max_chars=max_chars, vectors=vectors, query_vector=query_vector)
                  if e.score >= min_score and terms & set(tokenize(e.text))]  # it speaks to the question
        if picked:
            chosen.append(sorted(picked, key=lambda e: e.score, reverse=True))
        else:
            silent.append(doc_id)
    chosen.sort(key=lambda group: group[0].score, reverse=True)
    out: list[Evidence] = []
    used = 0
    for group in chosen:
        for i, e in enumerate(group):
            if i and used + len(e.text) > max_chars:  # a source's first sentence always; more within budget
                break
            out.append(e.model_copy(update={"n": len(out) + 1}))
            used += len(e.text)
    return out, silent


def by_source_answer(evidence: Sequence[Evidence]) -> list[AnswerSentence]:
    """One sentence per source that speaks: its best sentence, quoted and cited."""
    seen: set[str] = set()
    out = []
    for e in evidence:
        if e.doc_id in seen:
            continue
        seen.add(e.doc_id)
        out.append(quote_sentence(e, ("by-source",)))
    return out
