"""The whole service against a real `chroma run` server, and what happens when it goes away."""

from __future__ import annotations

import pytest

from rag.config import REPO_ROOT, Settings
from rag.embeddings import HashingEmbeddings
from rag.errors import StoreError
from rag.service import Service
from tests.conftest import ChromaServer, server_settings


@pytest.fixture
def remote(settings: Settings, chroma_server: ChromaServer) -> Service:
    return Service(server_settings(settings, chroma_server), embeddings=HashingEmbeddings())


def test_ingest_retrieve_ask_delete_on_the_server(remote: Service) -> None:
    report = remote.ingest([REPO_ROOT / "seeds"])
    assert report.added == 5 and remote.store.count_chunks() == report.chunks
    hits = remote.retrieve("SIPRI arms imports", k=3)
    assert hits and all(h.file_name.endswith(".txt") for h in hits)
    answer = remote.ask("What did Zakharova say?", verify="off")
    quote = answer.sentences[0].citations[0]
    assert remote.source(quote.doc_id).text[quote.start:quote.end] == quote.quote
    remote.delete_source("000_4cf79fb7c8a49485.txt")
    assert len(remote.sources()) == 4
    # A second client (another process, say) sees the same state.
    other = Service(remote.settings, embeddings=HashingEmbeddings())
    assert {r.id for r in other.sources()} == {r.id for r in remote.sources()}


def test_server_down_mid_session_is_a_clear_error_and_recovers(remote: Service,
                                                                chroma_server: ChromaServer) -> None:
    remote.ingest([REPO_ROOT / "seeds"])
    before = {r.id for r in remote.sources()}
    chroma_server.stop()
    try:
        with pytest.raises(StoreError, match="is the store reachable") as info:
            remote.sources()
        assert "\n" not in str(info.value)
        with pytest.raises(StoreError):
            remote.retrieve("Lavrov")
    finally:
        chroma_server.start()
    assert {r.id for r in remote.sources()} == before  # same client, nothing lost
    assert remote.retrieve("Lavrov", k=2)


def test_unreachable_server_at_start_names_the_setting(settings: Settings) -> None:
    bad = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": 9})
    with pytest.raises(StoreError, match="SOURCEBRIEF_CHROMA_HOST"):
        Service(bad, embeddings=HashingEmbeddings()).sources()
