"""Hybrid retrieval: fusion and diversity as pure functions, and the retriever on the real seeds."""

from __future__ import annotations

from pathlib import Path

from rag.retrieval import diversify, reciprocal_rank_fusion, tokenize
from rag.service import Service
from rag.types import Chunk


def _chunk(doc: str, start: int, end: int) -> Chunk:
    return Chunk(id=f"{doc}-{start}", doc_id=doc, index=start, start=start, end=end, text="x")


def test_rrf_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion({"dense": ["a", "b", "c"], "bm25": ["c", "a", "d"]}, k=60)
    assert max(fused, key=fused.__getitem__) == "a"
    assert fused["c"] > fused["b"] > fused["d"] or fused["c"] > fused["d"]
    assert abs(fused["a"] - (1 / 61 + 1 / 62)) < 1e-12


def test_diversify_caps_one_verbose_document() -> None:
    ranked = [_chunk("big", i * 100, i * 100 + 90) for i in range(6)] + [_chunk("s1", 0, 90), _chunk("s2", 0, 90)]
    picked = diversify(ranked, k=4, per_doc=2)
    assert [c.doc_id for c in picked].count("big") == 2
    assert {"s1", "s2"} <= {c.doc_id for c in picked}


def test_diversify_skips_overlapping_chunks_and_fills_up() -> None:
    ranked = [_chunk("a", 0, 100), _chunk("a", 10, 110), _chunk("a", 200, 300), _chunk("a", 400, 500)]
    picked = diversify(ranked, k=3, per_doc=1)
    assert [(c.start, c.end) for c in picked] == [(0, 100), (200, 300), (400, 500)]


def test_tokenize_folds_possessives_and_plurals() -> None:
    assert tokenize("Russia's peacekeepers and the talks") == ["russia", "peacekeeper", "talk"]


def test_hybrid_search_reports_both_retrievers(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    hits = service.retrieve("SIPRI arms imported into Armenia per cent", k=4)
    assert hits[0].file_name == "004_f1439a8cd7274eed.txt"
    assert {"rrf", "dense", "bm25"} <= set(hits[0].scores)
    assert len({h.chunk.id for h in hits}) == len(hits) == 4


def test_bm25_index_follows_new_documents(service: Service, seeds_copy: Path, tmp_path: Path) -> None:
    service.ingest([seeds_copy])
    assert all("Quetzalcoatlus" not in h.chunk.text for h in service.retrieve("Quetzalcoatlus", k=3))
    extra = tmp_path / "extra.txt"
    extra.write_text("The Quetzalcoatlus exhibit opened in Yerevan on Monday, the museum said.", encoding="utf-8")
    service.ingest([extra])
    assert "Quetzalcoatlus" in service.retrieve("Quetzalcoatlus", k=3)[0].chunk.text


def test_source_filter(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    hits = service.retrieve("Lavrov peace talks", k=6, sources=["002_7e3677aedf6b0cb5.txt"])
    assert hits and {h.file_name for h in hits} == {"002_7e3677aedf6b0cb5.txt"}


def test_bm25_matches_the_textbook_formula() -> None:
    import math

    from rag.bm25 import BM25Index

    docs = [["russia", "peace", "peace"], ["armenia", "talk"], ["russia", "armenia", "talk", "talk", "treaty"]]
    index = BM25Index(docs, k1=1.5, b=0.75)
    avg = sum(map(len, docs)) / 3

    def expected(doc: list[str], term: str) -> float:
        df = sum(term in d for d in docs)
        idf = math.log(1 + (3 - df + 0.5) / (df + 0.5))
        tf = doc.count(term)
        return idf * tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * len(doc) / avg))

    scores = index.scores(["russia", "talk"])
    for i, doc in enumerate(docs):
        assert abs(scores[i] - (expected(doc, "russia") + expected(doc, "talk"))) < 1e-5
    assert [i for i, _ in index.top(["talk"], 5)] == [2, 1]
    assert index.top(["unknown"], 5) == []


def test_warm_builds_the_bm25_index_once_for_the_first_search(service: Service, seeds_copy: Path,
                                                              monkeypatch) -> None:
    report = service.ingest([seeds_copy])
    reads: list[int] = []
    original = service.store.get_chunks
    monkeypatch.setattr(service.store, "get_chunks", lambda: (reads.append(1), original())[1])
    assert service.retriever.warm() == report.chunks and reads == [1]
    service.retrieve("Lavrov peace talks", k=3)
    assert reads == [1]  # the first search used the warmed index instead of reading every chunk again


def test_a_query_spells_out_common_acronyms_and_leaves_words_alone() -> None:
    from rag.retrieval import spelled_out

    assert spelled_out("What did the EU do in Armenia?") == "What did the EU (European Union) do in Armenia?"
    assert spelled_out("How do they describe the U.S. role?") == "How do they describe the U.S. (United States) role?"
    assert spelled_out("Tell us about the US.") == "Tell us about the US (United States)."  # "us": a pronoun
    assert spelled_out("What did the United States (US) say?") == "What did the United States (US) say?"
    assert spelled_out("What does the USSR or the CSTO do?") == "What does the USSR or the CSTO do?"
