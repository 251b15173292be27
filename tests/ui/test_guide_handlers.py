"""The Guide panel's handlers and the guide API route, without a browser (fake model, embedded Chroma)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rag.config import REPO_ROOT
from rag.guide import SourceGuide
from rag.service import Service
from ui.guide_handlers import GuideHandlers
from ui.handlers import UserFacingError
from ui.server import create_server

CW = "003_cb3a59321c21f76c.txt"


@pytest.fixture
def ingested(service: Service) -> Service:
    service.ingest([REPO_ROOT / "seeds"])
    return service


def test_write_renders_citations_and_offers_the_questions(ingested: Service) -> None:
    handlers = GuideHandlers(ingested)
    record = ingested.resolve_source(CW)
    assert handlers.cached(record.id).guide is None  # nothing written yet, and no model call
    stages: list[str] = []
    view = handlers.write(record.id, lambda stage, _done, _total: stages.append(stage))
    assert view.guide is not None and {"digest", "topics", "questions"} <= set(stages)
    assert 'class="sb-cite"' in view.html and "Suggested questions" in view.html
    assert view.questions == [q.text for q in view.guide.questions] and view.questions
    for q in view.questions:
        assert q.replace("&", "&amp;").replace("'", "&#x27;") in view.html
    assert handlers.cached(record.id).guide == view.guide  # loaded from the cache after that


def test_bad_picks_are_user_facing_errors(ingested: Service) -> None:
    handlers = GuideHandlers(ingested)
    with pytest.raises(UserFacingError, match="pick a document"):
        handlers.write(None)
    with pytest.raises(UserFacingError, match="no document"):
        handlers.write("nope")
    assert handlers.cached(None).guide is None


def test_guide_route(ingested: Service) -> None:
    client = TestClient(create_server(ingested))
    body = client.get(f"/api/sources/{CW}/guide")
    assert body.status_code == 200
    guide = SourceGuide.model_validate(body.json())
    assert guide.doc.file_name == CW and guide.summary
    assert client.get("/api/sources/nope/guide").status_code == 404
    assert "/api/sources/{ref}/guide" in client.get("/openapi.json").json()["paths"]
