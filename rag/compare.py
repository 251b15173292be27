"""Who says what: evidence gathered per source for comparative questions, answered source by source.

"How do the sources differ on ...?" answered from the top-k sentences overall hears the sources that
repeat the question's words and drops the one that argues the opposite. Here each document that
speaks to the question contributes its own best sentences, and the answer gives one attributed,
cited sentence per source: written by the model from that source's lines alone (so it cannot borrow
another outlet's view), kept only when it names its own source and no other and the verifier
supports it, else the source's best sentence quoted verbatim (a view in its own words cannot be
misattributed or laundered into fact). Documents with nothing relevant enough are named as silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from langchain_core.embeddings import Embeddings

from rag.evidence import SentenceVectors, select_evidence
from rag.guard import citation_of
from rag.retrieval import HybridRetriever, tokenize
from rag.types import AnswerSentence, DocumentRecord, Evidence, SearchHit, SourcePosition

__all__ = ["by_source_rows", "names_source", "per_source_evidence", "position_sentence", "source_groups"]

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


def source_groups(evidence: Sequence[Evidence]) -> list[list[Evidence]]:
    """Evidence lines grouped by document, in the order the documents first appear (best source first)."""
    groups: dict[str, list[Evidence]] = {}
    for e in evidence:
        groups.setdefault(e.doc_id, []).append(e)
    return list(groups.values())


def names_source(text: str, label: str) -> bool:
    """Whether a label ("Alwaght", "Igor Chalenko", "the article “Russia – main…”") is named in a text: the
    whole label, or a person's surname, as a word."""
    label = label.strip()
    if label.startswith("the article “"):
        head = label.removeprefix("the article “").rstrip("”…").strip()
        return bool(head) and head.lower() in text.lower()
    words = label.split()
    names = [label] + ([words[-1]] if len(words) == 2 and words[0][:1].isupper() else [])
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text, re.I) for n in names if len(n) > 2)


def position_sentence(text: str, group: Sequence[Evidence], others: Iterable[str]) -> AnswerSentence | None:
    """The model's sentence for one source, cleaned and cited to that source's lines; None when it is empty,
    does not open by naming its source, or names another source of the comparison (a view must never
    travel to another outlet). Whether it is supported is the verifier's call, after this."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = line.strip().strip('"').strip()
    if len(line.split()) < 4:
        return None
    label = group[0].source
    if not names_source(line[:len(label) + 40], label) or any(names_source(line, o) for o in others if o != label):
        return None
    line = line[0].upper() + line[1:]
    if line[-1] not in ".!?”\"":
        line += "."
    return AnswerSentence(text=line, citations=tuple(citation_of(e) for e in group), flags=("by-source",))


def by_source_rows(sentences: Sequence[AnswerSentence], evidence: Sequence[Evidence],
                   silent: Sequence[tuple[str, str]]) -> tuple[SourcePosition, ...]:
    """The comparison as a table: one row per source that speaks (its sentence, the quote it rests on, the
    verdict, who wrote it), then one per silent source ((doc_id, label) pairs)."""
    by_n = {e.n: e for e in evidence}
    rows = []
    for sentence in sentences:
        first = by_n.get(sentence.citations[0].n) if sentence.citations else None
        if first is None:
            continue
        rows.append(SourcePosition(
            doc_id=first.doc_id, source=first.source, position=sentence.text, quote=first.text, n=first.n,
            verdict=sentence.verdict.label if sentence.verdict else None,
            written="quote" if "quote" in sentence.flags else "model"))
    rows += [SourcePosition(doc_id=doc_id, source=label, written="silent") for doc_id, label in silent]
    return tuple(rows)
