"""Ingestion against a real embedded Chroma: idempotent, incremental, deduplicated, recoverable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.errors import ConfigError, NotFoundError
from rag.service import Service
from rag.store import Store
from tests.conftest import SEEDS, ChromaServer, server_settings


@pytest.fixture(params=["embedded", "server"])
def service(request: pytest.FixtureRequest, settings: Settings) -> Service:
    """Every test here runs on embedded Chroma and on a real `chroma run` server."""
    if request.param == "server":
        server: ChromaServer = request.getfixturevalue("chroma_server")
        settings = server_settings(settings, server)
    return Service(settings, embeddings=HashingEmbeddings())


def _consistent(service: Service) -> None:
    """The registry and the chunk collection agree exactly."""
    records = service.store.list_documents()
    stored = service.store.chunk_doc_ids()
    assert records and set(stored.values()) == {r.id for r in records}
    for record in records:
        assert sum(1 for d in stored.values() if d == record.id) == record.chunks


def test_seeds_ingest_then_reingest_changes_nothing(service: Service, seeds_copy: Path) -> None:
    first = service.ingest([seeds_copy])
    assert (first.documents, first.added, first.unchanged) == (5, 5, 0)
    assert first.chunks == service.store.count_chunks() > 5
    _consistent(service)
    ids_before = service.store.chunk_ids()
    second = service.ingest([seeds_copy])
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, 5, 0)
    assert second.embedded_chunks == 0
    assert service.store.chunk_ids() == ids_before


def test_stored_chunks_are_spans_of_the_stored_cleaned_text(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    records = service.sources()
    assert len(records) == 5
    for record in records:
        view = service.source(record.id)
        chunks = service.store.get_chunks([record.id])
        assert len(chunks) == record.chunks > 0
        for chunk in chunks:
            assert view.text[chunk.start:chunk.end] == chunk.text


def test_metadata_of_seeds(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    by_name = {r.file_name: r for r in service.sources()}
    assert set(by_name) == {p.name for p in SEEDS.iterdir()}
    assert by_name["003_cb3a59321c21f76c.txt"].outlet == "Caucasus Watch"
    assert by_name["002_7e3677aedf6b0cb5.txt"].outlet == "Alwaght"
    assert by_name["004_f1439a8cd7274eed.txt"].author == "Igor Chalenko"
    assert by_name["003_cb3a59321c21f76c.txt"].title.startswith("Russia Affirms Key Role")
    for record in by_name.values():
        assert len(record.id) == 16 and record.chars > 1000 and record.format == "txt"


def test_changed_file_replaces_its_chunks(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    target = seeds_copy / "004_f1439a8cd7274eed.txt"
    old_id = next(r.id for r in service.sources() if r.file_name == target.name)
    target.write_text(target.read_text(encoding="utf-8") + "\nA new closing paragraph about the talks.\n",
                      encoding="utf-8")
    report = service.ingest([seeds_copy])
    assert (report.updated, report.unchanged, report.documents) == (1, 4, 5)
    assert old_id not in {r.id for r in service.sources()}
    assert service.store.chunk_ids(old_id) == set()
    _consistent(service)


def test_same_content_under_two_names_is_stored_once(service: Service, seeds_copy: Path) -> None:
    shutil.copy(seeds_copy / "003_cb3a59321c21f76c.txt", seeds_copy / "copy_of_003.txt")
    report = service.ingest([seeds_copy])
    assert report.documents == 5
    record = next(r for r in service.sources() if r.file_name == "003_cb3a59321c21f76c.txt")
    assert len(record.paths) == 2
    _consistent(service)


def test_prune_removes_deleted_files_only_with_flag(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    (seeds_copy / "000_4cf79fb7c8a49485.txt").unlink()
    assert service.ingest([seeds_copy]).documents == 5
    report = service.ingest([seeds_copy], prune=True)
    assert (report.removed, report.documents) == (1, 4)
    _consistent(service)


def test_bad_files_are_skipped_and_the_rest_completes(service: Service, seeds_copy: Path) -> None:
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (seeds_copy / "latin1.txt").write_bytes("caf\xe9 ".encode("latin-1") * 40)
    big = seeds_copy / "big.txt"
    big.write_bytes(b"word " * 5_000_000)  # 25 MB > the 20 MB default limit
    report = service.ingest([seeds_copy, seeds_copy / "missing.txt"])
    assert report.documents == 5
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "image.png", "latin1.txt", "big.txt", "missing.txt"}
    assert all("\n" not in r for r in reasons.values())
    assert "too large" in reasons["big.txt"]


def test_interrupted_ingest_leftovers_are_swept(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    record = service.sources()[0]
    # Simulate a crash after chunks were written but before the record committed.
    service.store._docs.delete(ids=[record.id])
    assert service.store.chunk_ids(record.id)
    report = service.ingest([seeds_copy])
    assert report.added == 1 and report.documents == 5
    _consistent(service)


def test_reindex_and_embedding_mismatch(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    with pytest.raises(ConfigError, match="reindex"):
        Store(service.store._client, service.settings.collection, "other:model")
    report = service.ingest([seeds_copy], reindex=True)
    assert (report.added, report.documents) == (5, 5)


def test_sources_resolve_delete_and_retrieve(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    record = service.resolve_source("003_cb3a59321c21f76c.txt")
    assert service.resolve_source(record.id[:6]).id == record.id
    hits = service.retrieve("Zakharova CSTO fake monitors European Union mission", k=3)
    assert hits[0].file_name == "003_cb3a59321c21f76c.txt"
    only = service.retrieve("peace", k=5, sources=["004_f1439a8cd7274eed.txt"])
    assert {h.file_name for h in only} == {"004_f1439a8cd7274eed.txt"}
    service.delete_source(record.id)
    with pytest.raises(NotFoundError):
        service.resolve_source(record.id)
    _consistent(service)


def test_pipeline_change_reprocesses_without_re_embedding_unchanged_chunks(
        service: Service, seeds_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service.ingest([seeds_copy])
    monkeypatch.setattr("rag.ingest.pipeline.META_VERSION", "test-bump")
    report = service.ingest([seeds_copy])
    assert (report.updated, report.embedded_chunks, report.documents) == (5, 0, 5)
    assert all("test-bump" in r.pipeline for r in service.sources())
    _consistent(service)


def test_unreachable_chroma_server_is_one_line_store_error(settings) -> None:
    from rag.errors import StoreError
    from rag.store import make_client

    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": 9})
    with pytest.raises(StoreError) as info:
        Store(make_client(remote), "sourcebrief", "fake:hashing-256")
    assert "SOURCEBRIEF_CHROMA_HOST" in str(info.value) and "\n" not in str(info.value)


def test_store_reads_page_through_large_collections(service: Service, seeds_copy: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.store

    service.ingest([seeds_copy])
    expected = service.store.chunk_ids()
    original = rag.store._get_all
    monkeypatch.setattr(rag.store, "_get_all", lambda c, w, i, page=5000: original(c, w, i, page=7))
    assert service.store.chunk_ids() == expected and len(expected) > 7
    assert len(service.store.get_chunks()) == len(expected)
    assert len(service.store.list_documents()) == 5
