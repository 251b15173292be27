"""Hybrid retrieval: dense (Chroma) + lexical BM25 over the same chunks, fused by reciprocal rank,
then diversified so one verbose source cannot crowd out the others."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.bm25 import BM25Index
from rag.store import Store
from rag.types import Chunk, SearchHit

__all__ = ["HybridRetriever", "diversify", "prefixes", "reciprocal_rank_fusion", "tokenize"]

log = logging.getLogger(__name__)

_WORD = re.compile(r"[\w’'-]+")
_STOP = frozenset(
    "a an the and or but if of to in on at by for with about from into over after before than then as is are "
    "was were be been being it its this that these those there their they them he she his her we our you your "
    "i me my do does did done has have had not no so such what which who whom whose when where why how can "
    "could would should will shall may might must also very just more most some any all each other said says "
    "say".split())


#: Acronyms news text spells out as often as it abbreviates; a query using one matches neither form well (the
#: embedding model reads "US" as the pronoun, BM25 never meets "eu" in "European Union").
_SPELLED = {"US": "United States", "U.S.": "United States", "USA": "United States", "U.S.A.": "United States",
            "EU": "European Union", "UN": "United Nations", "UK": "United Kingdom", "U.K.": "United Kingdom"}
_ACRONYMS = re.compile(r"(?<![\w.])(U\.S\.A\.|U\.S\.|U\.K\.|USA|US|EU|UN|UK)(?!\w|\.\w)")


def spelled_out(question: str) -> str:
    """A query with its common acronyms also spelled out ("the EU" -> "the EU (European Union)"), unless the
    question spells them out itself; the question shown and answered is unchanged."""
    def spell(match: re.Match[str]) -> str:
        full = _SPELLED[match.group(1)]
        return match.group(0) if full.lower() in question.lower() else f"{match.group(0)} ({full})"
    return _ACRONYMS.sub(spell, question)


# British and American spellings of one word meet in one form ("recognised" / "recognized", "kilometres" /
# "kilometers", "neighbour" / "neighbor", "defence" / "defense"): users write either, and the seeds mix them.
_ISE = re.compile(r"(?<=[a-z]{4})iz(?=(?:e|ed|es|ing|ation|ations|er|ers)$)")
_YSE = re.compile(r"(?<=[a-z]{3}l)yz(?=(?:e|ed|es|ing|er|ers)$)")
_OUR = re.compile(r"^(colo|favo|hono|labo|neighbo|behavio|harbo|rumo|humo|endeavo|vigo|savo|flavo|armo|valo|"
                  r"parlo|cando|clamo|splendo|odo|tumo|rigo|fervo|ardo|vapo)ur")
_TRE = re.compile(r"(?<=[a-z]{2})(t|b)re(?=d?$)")
_NCE = re.compile(r"^(defe|offe|prete)nce$")


def fold_spelling(word: str) -> str:
    """One spelling for a word's British and American forms (a lower-cased, plural-folded token)."""
    word = _ISE.sub("is", word)
    word = _YSE.sub("ys", word)
    word = _OUR.sub(r"\1r", word)
    word = _TRE.sub(r"\1er", word)
    return _NCE.sub(r"\1nse", word)


def tokenize(text: str) -> list[str]:
    """Lower-cased content words with possessives and a plural 's' folded (Russia's -> russia), British and
    American spellings as one (`fold_spelling`)."""
    words = []
    for raw in _WORD.findall(text.lower()):
        word = raw.strip("’'-").replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word and word not in _STOP:
            words.append(fold_spelling(word))
    return words


def prefixes(text: str) -> set[str]:
    """A text's content words by their first five letters, so word forms meet ("mediator" / "mediation",
    "monitors" / "monitor")."""
    return {w[:5] for w in tokenize(text)}


def reciprocal_rank_fusion(rankings: dict[str, list[str]], k: int = 60) -> dict[str, float]:
    """RRF: each list contributes 1/(k + rank) to an id's score (rank from 1)."""
    fused: dict[str, float] = {}
    for ranked in rankings.values():
        for rank, item in enumerate(ranked, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def _overlap(a: Chunk, b: Chunk) -> float:
    shared = min(a.end, b.end) - max(a.start, b.start)
    return max(shared, 0) / max(min(a.end - a.start, b.end - b.start), 1)


def diversify(ranked: Sequence[Chunk], k: int, per_doc: int) -> list[Chunk]:
    """Top k in order, at most `per_doc` per document and no chunk mostly overlapping a chosen one;
    the cap is relaxed only if there are not k chunks otherwise."""
    chosen: list[Chunk] = []
    held: list[Chunk] = []
    for chunk in ranked:
        if any(c.doc_id == chunk.doc_id and _overlap(c, chunk) > 0.5 for c in chosen):
            continue
        if sum(c.doc_id == chunk.doc_id for c in chosen) >= per_doc:
            held.append(chunk)
            continue
        chosen.append(chunk)
        if len(chosen) == k:
            return chosen
    for chunk in held:
        if len(chosen) == k:
            break
        if not any(c.doc_id == chunk.doc_id and _overlap(c, chunk) > 0.5 for c in chosen):
            chosen.append(chunk)
    return chosen


class _Lexical:
    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.index = BM25Index([tokenize(c.text) for c in chunks])
        self.doc_of = np.array([c.doc_id for c in chunks], dtype=object)

    def search(self, query: str, n: int, doc_ids: set[str] | None) -> list[tuple[Chunk, float]]:
        terms = tokenize(query)
        if not self.chunks or not terms:
            return []
        allowed = np.isin(self.doc_of, list(doc_ids)) if doc_ids else None
        return [(self.chunks[i], score) for i, score in self.index.top(terms, n, allowed)]


class HybridRetriever:
    """Dense + BM25 candidates, RRF fusion, per-document cap. The BM25 index follows the store."""

    def __init__(self, store: Store, embeddings: Embeddings, *, candidates: int = 24, rrf_k: int = 60) -> None:
        self.store = store
        self.embeddings = embeddings
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._index: _Lexical | None = None
        self._signature: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def _lexical(self) -> _Lexical:
        signature = (self.store.revision(), self.store.count_chunks())
        with self._lock:
            if self._index is None or signature != self._signature:
                log.info("building BM25 index over %d chunks", signature[1])
                self._index = _Lexical(self.store.get_chunks())
                self._signature = signature
            return self._index

    def chunk_texts(self) -> list[str]:
        """The text of every chunk in the collection (from the BM25 index, built if needed)."""
        return [c.text for c in self._lexical().chunks]

    def warm(self) -> int:
        """Build the BM25 index now (the first search would otherwise wait for it: ~40 s at 300k
        chunks); returns how many chunks it holds. A search meanwhile waits on the same lock."""
        return len(self._lexical().chunks)

    def search(self, query: str, k: int, doc_ids: Sequence[str] | None = None,
               titles: dict[str, tuple[str, str]] | None = None,
               query_vector: Sequence[float] | None = None) -> list[SearchHit]:
        """The k best chunks for `query`, with each retriever's score and rank kept for inspection
        (`query_vector`: the query's embedding, when the caller has it already)."""
        wanted = set(doc_ids) if doc_ids else None
        n = max(self.candidates, 3 * k)
        vector = list(query_vector) if query_vector is not None else self.embeddings.embed_query(query)
        dense = self.store.query(vector, n, list(doc_ids) if doc_ids else None)
        lexical = self._lexical().search(query, n, wanted)
        by_id: dict[str, Chunk] = {c.id: c for c, _ in dense} | {c.id: c for c, _ in lexical}
        fused = reciprocal_rank_fusion({"dense": [c.id for c, _ in dense], "bm25": [c.id for c, _ in lexical]},
                                       self.rrf_k)
        ranked = sorted(by_id.values(), key=lambda c: fused[c.id], reverse=True)
        picked = diversify(ranked, k, per_doc=max(2, math.ceil(k / 2)))
        dense_s = {c.id: (s, r) for r, (c, s) in enumerate(dense, start=1)}
        bm25_s = {c.id: (s, r) for r, (c, s) in enumerate(lexical, start=1)}
        hits = []
        for chunk in picked:
            scores = {"rrf": round(fused[chunk.id], 6)}
            if chunk.id in dense_s:
                scores |= {"dense": round(dense_s[chunk.id][0], 4), "dense_rank": dense_s[chunk.id][1]}
            if chunk.id in bm25_s:
                scores |= {"bm25": round(bm25_s[chunk.id][0], 4), "bm25_rank": bm25_s[chunk.id][1]}
            file_name, title = (titles or {}).get(chunk.doc_id, ("?", "?"))
            hits.append(SearchHit(chunk=chunk, file_name=file_name, title=title, score=fused[chunk.id],
                                  scores=scores))
        return hits
