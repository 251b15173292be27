"""Sources by URL against a real HTTP server on loopback, started by the test (fetching loopback is allowed
only where the setting says so; the refusal is checked with it off)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.errors import InputError
from rag.ingest.fetch import fetch_url, is_url
from rag.service import Service

ARTICLE = """<!doctype html><html><head><title>{title}</title></head><body><article>
<h1>{title}</h1>
<p>The harbour authority of Lumen said on Monday that the new ferry line will carry 4,000 passengers a day
between the two islands once the pier is finished next spring.</p>
<p>Critics of the plan, among them the island council's transport committee, argue that the pier's cost has
doubled since the first estimate and that the ferry will compete with the existing bus route.</p>
<p>{extra}</p>
</article></body></html>"""


class _Pages:
    """What the test server answers; tests change `title`/`extra` to change the page."""

    title = "Lumen ferry line approved"
    extra = "The first crossing is planned for May."


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            pass

    def do_GET(self) -> None:
        if self.path == "/news/ferry.html":
            page = ARTICLE.format(title=_Pages.title, extra=_Pages.extra).encode()
            self._send(200, page, "text/html; charset=utf-8")
        elif self.path == "/short":
            self._send(302, b"", "text/plain", {"Location": "/news/ferry.html"})
        elif self.path == "/loop":
            self._send(302, b"", "text/plain", {"Location": "/loop"})
        elif self.path == "/logo.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
        elif self.path == "/huge.txt":
            self._send(200, b"word " * 400_000, "text/plain")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, b"late", "text/plain")
        else:
            self._send(404, b"not here", "text/plain")


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_service(settings: Settings) -> Service:
    """The test server is on loopback: fetching it needs the setting on."""
    return Service(settings.model_copy(update={"fetch_allow_private": True, "fetch_timeout_s": 1.0}),
                   embeddings=HashingEmbeddings())


def test_a_page_is_fetched_cleaned_and_cited_with_its_address(open_service: Service, site: str) -> None:
    report = open_service.ingest_url(f"{site}/news/ferry.html")
    assert report.added == 1 and report.documents == 1
    [record] = open_service.sources()
    assert record.title == "Lumen ferry line approved" and record.format == "html"
    assert record.file_name == f"{site}/news/ferry.html"  # the address is what citations name
    assert record.origin is not None and record.origin.url == f"{site}/news/ferry.html"
    text = open_service.source(record.id).text
    assert "4,000 passengers a day" in text and "<p>" not in text
    hits = open_service.retrieve("How many passengers will the ferry carry?", 2)
    assert hits and hits[0].file_name == f"{site}/news/ferry.html"


def test_a_redirect_is_followed_and_the_final_address_recorded(open_service: Service, site: str) -> None:
    open_service.ingest_url(f"{site}/short")
    [record] = open_service.sources()
    assert record.origin is not None
    assert (record.origin.url, record.origin.final_url) == (f"{site}/short", f"{site}/news/ferry.html")
    assert record.file_name == f"{site}/news/ferry.html"


def test_fetching_again_changes_nothing_and_a_changed_page_replaces_its_chunks(
        open_service: Service, site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"{site}/news/ferry.html"
    first = open_service.ingest_url(url)
    [before] = open_service.sources()
    again = open_service.ingest_url(url)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    assert open_service.sources() == [before]  # same record, fetch time kept
    monkeypatch.setattr(_Pages, "extra", "The first crossing has been postponed to September.")
    changed = open_service.ingest_url(url)
    assert changed.updated == 1 and changed.documents == 1 and changed.chunks == first.chunks
    [after] = open_service.sources()
    assert after.id != before.id
    assert "postponed to September" in open_service.source(after.id).text
    assert not [c for c in open_service.store.get_chunks() if c.doc_id == before.id]


def test_loopback_and_private_addresses_are_refused_unless_allowed(service: Service, site: str) -> None:
    assert not service.settings.fetch_allow_private  # the default
    for url in (f"{site}/news/ferry.html", "http://localhost:9/", "http://10.0.0.8/x", "http://169.254.169.254/"):
        with pytest.raises(InputError, match="private or loopback address"):
            service.ingest_url(url)
    assert service.sources() == []


def test_bad_addresses_and_answers_are_one_line_errors_and_store_nothing(open_service: Service, site: str) -> None:
    cases = {
        "ftp://example.org/file.txt": "only http and https",
        "file:///etc/passwd": "only http and https",
        f"{site}/logo.png": "image/png, not a page",
        f"{site}/missing.html": "HTTP 404",
        f"{site}/loop": "redirects more than 5 times",
        f"{site}/slow": "did not answer within 1 s",
    }
    for url, message in cases.items():
        with pytest.raises(InputError, match=message) as caught:
            open_service.ingest_url(url)
        assert "\n" not in str(caught.value)
    small = open_service.settings.model_copy(update={"max_file_mb": 0.5})
    with pytest.raises(InputError, match="page too large"):
        fetch_url(f"{site}/huge.txt", timeout_s=5, max_bytes=int(small.max_file_mb * 1e6), allow_private=True)
    assert open_service.sources() == []


def test_ingest_takes_addresses_beside_files_and_reports_failures(tmp_path: Path, site: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.cli import app

    note = tmp_path / "note.txt"
    note.write_text("The island council meets on Thursday to vote on the ferry budget and the pier contract.\n")
    for key, value in {"SOURCEBRIEF_DATA_DIR": str(tmp_path / "data"), "SOURCEBRIEF_EMBEDDING_PROVIDER": "fake",
                       "SOURCEBRIEF_LLM_PROVIDER": "fake", "SOURCEBRIEF_FETCH_ALLOW_PRIVATE": "true"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SOURCEBRIEF_CHROMA_HOST", raising=False)
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(note), f"{site}/news/ferry.html", f"{site}/logo.png"])
    assert result.exit_code == 0, result.output
    assert "2 documents" in result.output and "2 added" in result.output and "1 skipped" in result.output
    assert f"skipped {site}/logo.png: " in result.output
    shown = runner.invoke(app, ["sources", "show", f"{site}/news/ferry.html"])
    assert f"fetched from {site}/news/ferry.html on " in shown.output


def test_what_counts_as_an_address() -> None:
    assert is_url("https://example.org/a") and is_url("ftp://x") and not is_url("seeds/001.txt")
    assert not is_url("notes/https://x")  # a path that merely contains an address further on


def test_a_public_page_that_redirects_into_the_private_network_is_refused() -> None:
    """Each hop is checked: a public address cannot bounce the fetch to loopback or a metadata address."""
    import httpx

    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    with pytest.raises(InputError, match="private or loopback address"):
        fetch_url("http://93.184.216.34/story", timeout_s=1, max_bytes=1000, transport=httpx.MockTransport(answer))
    assert asked == ["http://93.184.216.34/story"]  # the private address was never requested


def test_the_api_and_the_sources_tab_take_an_address(open_service: Service, site: str) -> None:
    from fastapi.testclient import TestClient

    from ui.handlers import SourceHandlers, UserFacingError
    from ui.server import create_server

    client = TestClient(create_server(open_service))
    body = client.post("/api/ingest/url", json={"url": f"{site}/news/ferry.html"}).json()
    assert body["added"] == 1 and body["documents"] == 1
    refused = client.post("/api/ingest/url", json={"url": f"{site}/logo.png"})
    assert refused.status_code == 400 and "image/png" in refused.json()["error"]
    docs = SourceHandlers(open_service)
    assert docs.fetch(f"  {site}/news/ferry.html ") == f"{site}/news/ferry.html: already in the collection"
    with pytest.raises(UserFacingError, match=r"not added: .*HTTP 404"):
        docs.fetch(f"{site}/gone.html")
    with pytest.raises(UserFacingError, match="paste the http"):
        docs.fetch("  ")
    [record] = open_service.sources()
    assert f"Fetched from {site}/news/ferry.html on " in docs.view(record.id)
