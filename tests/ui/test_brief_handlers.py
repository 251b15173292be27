"""The Briefing tab's handler and the briefing API routes, with the fake model."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rag.config import REPO_ROOT
from rag.service import Service
from ui.brief_handlers import BriefHandlers
from ui.handlers import UserFacingError
from ui.server import create_server


@pytest.fixture
def loaded(service: Service) -> Service:
    service.ingest([REPO_ROOT / "seeds"])
    return service


def test_write_reports_stages_and_saves_every_format(loaded: Service) -> None:
    stages: list[str] = []
    view = BriefHandlers(loaded).write(None, None, "off", lambda stage, done, total: stages.append(stage))
    assert len(set(stages)) >= 3
    assert {p.suffix for p in view.paths.values()} == {".md", ".html", ".json"}
    assert view.paths["html"].read_text().startswith("<!doctype html>")
    assert f"run `{view.run_id}`" in view.summary and "5 documents" in view.summary


def test_unknown_source_is_a_one_line_error(loaded: Service) -> None:
    with pytest.raises(UserFacingError, match="no document"):
        BriefHandlers(loaded).write(None, ["missing-doc"], "off")


def test_brief_api_returns_json_markdown_and_saved_files(loaded: Service) -> None:
    client = TestClient(create_server(loaded))
    body = client.post("/api/brief", json={"verify": "off", "sources": ["004_f1439a8cd7274eed.txt"]}).json()
    assert [d["file_name"] for d in body["documents"]] == ["004_f1439a8cd7274eed.txt"]
    md = client.post("/api/brief", json={"verify": "off", "format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# ")
    view = BriefHandlers(loaded).write(None, None, "off")
    saved = client.get(f"/api/briefs/{view.run_id}/briefing.html")
    assert saved.status_code == 200 and "<h1>" in saved.text
    assert client.get("/api/briefs/..%2F..%2Fetc/briefing.html").status_code in {400, 404}
    assert client.get(f"/api/briefs/{view.run_id}/briefing.exe").status_code == 400
    assert client.post("/api/brief", json={"sources": ["nope"]}).status_code == 404
