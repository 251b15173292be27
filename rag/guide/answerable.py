"""Which suggested questions a guide keeps: those the answer chain itself could answer from the document."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from rag.evidence import select_evidence
from rag.guide.types import FindPassage
from rag.retrieval import HybridRetriever, tokenize
from rag.types import Citation, DocumentRecord

__all__ = ["passage_finder"]


def passage_finder(record: DocumentRecord, retriever: HybridRetriever, embeddings: Embeddings, *, top_k: int,
                   evidence_chars: int, min_score: float) -> FindPassage:
    """A question's best evidence sentence within one document: it must pass the answer chain's own bar
    (`min_score`) and share a content word with the question (beyond how the source is named)."""
    naming = set(tokenize(" ".join(filter(None, (record.outlet, record.author, "article report write author")))))

    def find(question: str) -> tuple[Citation, float] | None:
        hits = retriever.search(question, top_k, [record.id], {record.id: (record.file_name, record.title)})
        evidence = select_evidence(question, hits, embeddings, {record.id: record}, max_sentences=1,
                                   max_chars=evidence_chars)
        if not evidence or evidence[0].score < min_score:
            return None
        e = evidence[0]
        if not (set(tokenize(question)) - naming) & set(tokenize(e.text)):
            return None
        return Citation(n=0, doc_id=e.doc_id, file_name=e.file_name, title=e.title, quote=e.text, start=e.start,
                        end=e.end), e.score

    return find
