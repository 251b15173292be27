"""The HTTP API through FastAPI's test client, on the fake model and a real embedded Chroma."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from rag.config import REPO_ROOT
from rag.errors import ConfigError
from rag.service import Service
from ui.server import create_server


@pytest.fixture
def client(service: Service) -> TestClient:
    service.ingest([REPO_ROOT / "seeds"])
    return TestClient(create_server(service))


def test_health_sources_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["documents"] == 5
    sources = client.get("/api/sources").json()
    assert {s["file_name"] for s in sources} >= {"000_4cf79fb7c8a49485.txt"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/ingest", "/api/sources", "/api/sources/{ref}", "/healthz"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_ask_returns_the_typed_answer(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "What did Zakharova say?", "verify": "off"}).json()
    assert body["refused"] is False
    quote = body["sentences"][0]["citations"][0]
    text = client.get(f"/api/sources/{quote['doc_id']}").json()["text"]
    assert text[quote["start"]:quote["end"]] == quote["quote"]


def test_ask_streams_ndjson_events(client: TestClient) -> None:
    with client.stream("POST", "/api/ask", json={"question": "What did Zakharova say?", "stream": True,
                                                  "verify": "off"}) as response:
        events = [json.loads(line) for line in response.iter_lines() if line]
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "status" and kinds[-1] == "final" and kinds.count("partial") >= 2
    assert events[-1]["answer"]["sentences"]


@pytest.mark.parametrize(("payload", "status", "message"), [
    ({"question": "   "}, 400, "empty question"),
    ({"question": "x" * 100_000}, 400, "question too long"),
    ({"question": "Who?", "sources": ["no-such-doc"]}, 404, "no document"),
])
def test_bad_questions_get_a_one_line_error(client: TestClient, payload: dict[str, object], status: int,
                                            message: str) -> None:
    response = client.post("/api/ask", json=payload)
    assert response.status_code == status
    assert message in response.json()["error"] and "\n" not in response.json()["error"]


def test_ingest_upload_and_delete(client: TestClient) -> None:
    files = {"file": ("../../etc/notes.md", b"# Notes\n\nTalks resumed in Geneva on 3 March 2026.\n", "text/markdown")}
    report = client.post("/api/ingest", files=files).json()
    assert report["added"] == 1 and report["documents"] == 6
    names = [s["file_name"] for s in client.get("/api/sources").json()]
    assert "notes.md" in names  # the path in the name is dropped
    doc = next(s for s in client.get("/api/sources").json() if s["file_name"] == "notes.md")
    assert client.delete(f"/api/sources/{doc['id']}").json()["id"] == doc["id"]
    assert client.delete(f"/api/sources/{doc['id']}").status_code == 404
    assert client.get("/healthz").json()["documents"] == 5


@pytest.mark.parametrize(("name", "data", "message"), [
    ("run.exe", b"MZ", "file type not accepted"),
    ("empty.txt", b"", "empty"),
    ("blob.txt", bytes(range(256)) * 40, "binary"),
])
def test_bad_uploads_are_refused_and_nothing_is_lost(client: TestClient, name: str, data: bytes,
                                                     message: str) -> None:
    before = client.get("/healthz").json()
    response = client.post("/api/ingest", files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]
    assert client.get("/healthz").json() == before


def test_uploads_over_the_size_limit_are_refused(service: Service) -> None:
    small = Service(service.settings.model_copy(update={"max_file_mb": 0.001}), embeddings=service.embeddings)
    client = TestClient(create_server(small))
    response = client.post("/api/ingest", files={"file": ("big.txt", b"word " * 1000, "text/plain")})
    assert response.status_code == 400 and "too large" in response.json()["error"]


def test_binding_beyond_loopback_needs_a_token(service: Service) -> None:
    with pytest.raises(ConfigError, match="SOURCEBRIEF_API_TOKEN"):
        create_server(service, host="0.0.0.0")


def test_token_guards_api_and_app_when_set(service: Service) -> None:
    settings = service.settings.model_copy(update={"api_token": SecretStr("s3cret")})
    guarded = Service(settings, embeddings=service.embeddings)
    client = TestClient(create_server(guarded, host="0.0.0.0"))
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/sources").status_code == 401
    assert client.get("/").status_code == 401
    assert client.get("/api/sources", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/sources", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    first = client.get("/?token=s3cret", follow_redirects=False)
    assert first.status_code == 303 and "token" not in first.headers["location"]
    assert client.get("/").status_code == 200  # the cookie now carries it
