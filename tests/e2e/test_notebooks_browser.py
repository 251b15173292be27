"""The notebook picker in a real Chromium against a real `sourcebrief serve`."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.browser

SEED = "003_cb3a59321c21f76c.txt"
FERRY = ("Lumen ferry line approved\n\nThe harbour authority of Lumen said on Monday that the new ferry line will "
         "carry 4,000 passengers a day between the two islands once the pier is finished next spring.\n")


def _pick(page: Any, name: str) -> None:
    page.locator("#sb-notebook input").click()
    page.get_by_role("option", name=name, exact=True).click()


def test_notebooks_are_opened_by_link_switched_created_and_deleted(app_server: RunningApp, browser: Any,
                                                                    shots: Path) -> None:
    made = httpx.post(f"{app_server.url}/api/notebooks", json={"name": "Islands"}, timeout=30).json()
    httpx.post(f"{app_server.url}/api/notebooks/{made['id']}/ingest", files={"file": ("ferry.txt", FERRY)},
               timeout=60).raise_for_status()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{app_server.url}/?notebook={made['id']}")  # a link opens its notebook
        expect(page.locator("#sb-notebook input")).to_have_value("Islands", timeout=30_000)
        page.get_by_role("tab", name="Sources").click()
        table = page.locator("#sb-table")
        expect(table).to_contain_text("ferry.txt", timeout=20_000)
        expect(table).not_to_contain_text(SEED)
        # Switching shows the other notebook's sources; the address bar follows.
        started = time.monotonic()
        _pick(page, "default")
        expect(table).to_contain_text(SEED, timeout=10_000)
        switch_s = time.monotonic() - started
        expect(table).not_to_contain_text("ferry.txt")
        assert re.search(r"[?&]notebook=default\b", page.url)
        (shots / "switch-seconds.txt").write_text(f"{switch_s:.2f}\n")  # the time is reported, not asserted
        page.screenshot(path=str(shots / "default.png"))
        # A new notebook from the bar starts empty and becomes the current one.
        page.locator("#sb-notebook-name textarea, #sb-notebook-name input").first.fill("Scratch")
        page.locator("#sb-notebook-create").click()
        expect(page.locator("#sb-notebook input")).to_have_value("Scratch", timeout=20_000)
        expect(table).not_to_contain_text(SEED, timeout=10_000)
        # Deleting asks first; declining keeps it, accepting removes it and goes back to default.
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.locator("#sb-notebook-delete").click()
        expect(page.locator("#sb-notebook-status")).to_contain_text("Nothing deleted", timeout=20_000)
        expect(page.locator("#sb-notebook input")).to_have_value("Scratch")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#sb-notebook-delete").click()
        expect(page.locator("#sb-notebook-status")).to_contain_text("Deleted notebook “Scratch”", timeout=20_000)
        expect(page.locator("#sb-notebook input")).to_have_value("default")
        names = [n["name"] for n in httpx.get(f"{app_server.url}/api/notebooks", timeout=30).json()]
        assert "Scratch" not in names and "Islands" in names
        page.screenshot(path=str(shots / "deleted.png"))
    finally:
        httpx.delete(f"{app_server.url}/api/notebooks/{made['id']}", timeout=60)


def test_an_answer_is_saved_to_notes_and_read_there(app_server: RunningApp, browser: Any, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_server.url)
    question = "What did Zakharova say about the European Union mission?"
    page.locator("#sb-question textarea").fill(question)
    page.locator("#sb-ask").click()
    page.locator("#sb-chat .message.bot").first.locator("code").first.wait_for(timeout=60_000)
    page.locator("#sb-keep-answer").click()
    expect(page.locator("#sb-keep-status")).to_contain_text("Kept in Notes", timeout=20_000)
    page.get_by_role("tab", name="Notes").click()
    expect(page.locator("#sb-notes")).to_contain_text(question, timeout=20_000)
    view = page.locator("#sb-note-view")
    expect(view).to_contain_text(question, timeout=20_000)
    expect(view).to_contain_text(re.compile(r"\d{3}_\w+\.txt, characters \d+-\d+: "))  # each quote, below
    expect(page.locator("#sb-note-download")).to_be_visible()
    page.screenshot(path=str(shots / "notes.png"))
    page.locator("#sb-note-delete").click()
    expect(page.locator("#sb-note-status")).to_contain_text("Deleted note", timeout=20_000)
