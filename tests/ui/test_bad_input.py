"""Hostile and broken input through the API: one-line errors, nothing stored is lost."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rag.config import REPO_ROOT
from rag.service import Service
from ui.server import create_server


@pytest.fixture
def client(service: Service) -> TestClient:
    service.ingest([REPO_ROOT / "seeds"])
    return TestClient(create_server(service))


def _unchanged(client: TestClient, before: dict[str, object]) -> None:
    assert client.get("/healthz").json() == before


def test_control_characters_in_a_question_are_stripped(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "What did\x00 Lavrov\x1b[31m offer?\x07", "verify": "off"})
    assert response.status_code == 200
    assert "\x00" not in response.json()["question"] and "\x1b" not in response.json()["question"]
    only_controls = client.post("/api/ask", json={"question": "\x00\x01\x02 \t"})
    assert only_controls.status_code == 400 and only_controls.json()["error"] == "empty question"


def test_html_with_scripts_is_ingested_without_them(client: TestClient) -> None:
    page = (b"<html><head><title>Border talks</title><script>alert('x'); var secret = 'TOKEN';</script></head>"
            b"<body><article><h1>Border talks</h1><p>Delegations met in Geneva on 3 March 2026 to discuss the "
            b"border markers between the two countries, officials said.</p>"
            b"<script>document.write('INJECTED')</script><p>The next round is planned for May.</p>"
            b"</article></body></html>")
    report = client.post("/api/ingest", files={"file": ("talks.html", page, "text/html")}).json()
    assert report["added"] == 1
    doc = next(s for s in client.get("/api/sources").json() if s["file_name"] == "talks.html")
    text = client.get(f"/api/sources/{doc['id']}").json()["text"]
    assert "Geneva" in text and "alert" not in text and "INJECTED" not in text and "TOKEN" not in text


@pytest.mark.parametrize(("name", "data", "message"), [
    ("latin1.txt", "caf\xe9 cr\xe8me ".encode("latin-1") * 50, "UTF-8"),
    ("zero.txt", b"", "empty"),
    ("nul.md", b"\x00" * 4096, "binary"),
])
def test_undecodable_files_are_refused(client: TestClient, name: str, data: bytes, message: str) -> None:
    before = client.get("/healthz").json()
    response = client.post("/api/ingest", files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == 400 and message in response.json()["error"], response.text
    _unchanged(client, before)


def test_a_200_mb_upload_is_refused_without_reading_it_all(client: TestClient) -> None:
    before = client.get("/healthz").json()
    big = b"a" * 200_000_000
    response = client.post("/api/ingest", files={"file": ("huge.txt", big, "text/plain")})
    assert response.status_code == 400 and "too large" in response.json()["error"]
    _unchanged(client, before)


def test_unknown_source_ids_everywhere(client: TestClient) -> None:
    assert client.get("/api/sources/feedfacecafe").status_code == 404
    assert client.delete("/api/sources/feedfacecafe").status_code == 404
    assert client.post("/api/ask", json={"question": "Who?", "sources": ["feedfacecafe"]}).status_code == 404
