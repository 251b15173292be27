"""Evidence selection: from retrieved chunks, the few sentences that bear on the question.

A 2-core CPU model reads ~90 prompt tokens/s, so the answer prompt carries a few hundred
tokens of numbered sentences, not whole chunks. Each sentence keeps its exact offsets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from langchain_core.embeddings import Embeddings

from rag.ingest.sentences import split_sentences
from rag.retrieval import tokenize
from rag.types import DocumentRecord, Evidence, SearchHit

__all__ = ["candidate_sentences", "format_evidence", "select_evidence", "source_label"]


def source_label(record: DocumentRecord | None) -> str:
    """How a document is named to the model and the reader: outlet, else author, else title."""
    if record is None:
        return "unknown source"
    return record.outlet or record.author or record.title


def candidate_sentences(hits: Sequence[SearchHit]) -> list[tuple[SearchHit, int, int, str]]:
    """Distinct sentences of the retrieved chunks with absolute offsets (overlaps counted once)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for hit in hits:
        for sent in split_sentences(hit.chunk.text):
            start, end = hit.chunk.start + sent.start, hit.chunk.start + sent.end
            key = (hit.chunk.doc_id, start)
            if key in seen or len(sent.text.split()) < 5:
                continue
            seen.add(key)
            out.append((hit, start, end, sent.text))
    return out


def select_evidence(question: str, hits: Sequence[SearchHit], embeddings: Embeddings,
                    records: Mapping[str, DocumentRecord], *, max_sentences: int = 8,
                    max_chars: int = 1600) -> list[Evidence]:
    """Score sentences by meaning (cosine) and shared words; keep the best within the budget,
    then number them in reading order (document by document) so context reads naturally."""
    candidates = candidate_sentences(hits)
    if not candidates:
        return []
    query_vec = embeddings.embed_query(question)
    vectors = embeddings.embed_documents([text for *_, text in candidates])
    terms = set(tokenize(question))
    scored = []
    for (hit, start, end, text), vec in zip(candidates, vectors, strict=True):
        cosine = sum(a * b for a, b in zip(query_vec, vec, strict=True))
        overlap = len(terms & set(tokenize(text))) / len(terms) if terms else 0.0
        scored.append((0.7 * cosine + 0.3 * overlap, hit, start, end, text))
    scored.sort(key=lambda row: row[0], reverse=True)
    picked: list[tuple[float, SearchHit, int, int, str]] = []
    used = 0
    for row in scored:
        if len(picked) == max_sentences:
            break
        if used + len(row[4]) > max_chars and picked:
            continue
        picked.append(row)
        used += len(row[4])
    doc_order = {hit.chunk.doc_id: i for i, hit in reversed(list(enumerate(hits)))}
    picked.sort(key=lambda row: (doc_order[row[1].chunk.doc_id], row[2]))
    return [Evidence(n=i, doc_id=hit.chunk.doc_id, file_name=hit.file_name, title=hit.title,
                     source=source_label(records.get(hit.chunk.doc_id)), start=start, end=end, text=text,
                     score=round(score, 4))
            for i, (score, hit, start, end, text) in enumerate(picked, start=1)]


def format_evidence(evidence: Sequence[Evidence]) -> str:
    """The numbered evidence block of the answer prompt."""
    return "\n".join(f"[{e.n}] ({e.source}) {e.text}" for e in evidence)
