"""The API over real HTTP against a running `sourcebrief serve`, bound beyond loopback with a token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import RunningApp, start_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    proc, running = start_app(tmp_path_factory.mktemp("guarded"), host="0.0.0.0", token="e2e-token")
    yield running
    proc.terminate()
    proc.wait(timeout=20)


def test_without_the_token_only_health_answers(guarded: RunningApp) -> None:
    assert httpx.get(f"{guarded.url}/healthz").json()["documents"] == 5
    for path in ("/api/sources", "/", "/docs"):
        assert httpx.get(guarded.url + path).status_code == 401, path
    assert httpx.post(f"{guarded.url}/api/ask", json={"question": "Who?"}).status_code == 401


def test_with_the_token_ask_streams_and_upload_works(guarded: RunningApp, tmp_path: Path) -> None:
    auth = {"Authorization": "Bearer e2e-token"}
    with httpx.Client(base_url=guarded.url, headers=auth, timeout=60) as client:
        assert len(client.get("/api/sources").json()) == 5
        with client.stream("POST", "/api/ask", json={"question": "What did Lavrov offer?", "stream": True,
                                                      "verify": "off"}) as response:
            events = [json.loads(line) for line in response.iter_lines() if line]
        assert events[-1]["kind"] == "final" and sum(e["kind"] == "partial" for e in events) >= 2
        upload = client.post("/api/ingest", files={"file": ("memo.txt", b"Memo. The summit is set for June.\n")})
        assert upload.status_code == 200 and upload.json()["documents"] == 6
        assert client.get("/", headers={"Accept": "text/html"}).status_code == 200


def test_the_browser_gets_in_with_the_token_once(guarded: RunningApp, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{guarded.url}/?token=e2e-token")
    assert "token" not in page.url
    page.locator("#sb-question textarea").wait_for()
