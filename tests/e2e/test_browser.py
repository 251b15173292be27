"""The app in a real browser: ask, see the streamed cited answer, open a citation, upload a file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from evals.suite import load_suite
from rag.config import REPO_ROOT
from rag.prompts import REFUSAL
from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.browser


# Records every distinct text of the conversation's last bot message as it changes.
_WATCH_CHAT = """() => {
  window.sbSeen = [];
  const chat = document.querySelector('#sb-chat');
  new MutationObserver(() => {
    const bots = chat.querySelectorAll('.message.bot');
    const text = bots.length ? bots[bots.length - 1].innerText.trim() : '';
    if (text && window.sbSeen[window.sbSeen.length - 1] !== text) window.sbSeen.push(text);
  }).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


def _console_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_ask_stream_and_open_a_citation(app_server: RunningApp, browser: Any, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = _console_errors(page)
    page.goto(app_server.url)
    page.locator("#sb-question textarea").fill("What did Zakharova say about the negotiations?")
    page.evaluate(_WATCH_CHAT)
    page.locator("#sb-ask").click()
    marker = page.locator("#sb-cited .sb-cite").first
    marker.wait_for(timeout=60_000)
    # The reply grew on screen piece by piece (status lines, then partial text) before it was final.
    seen = page.evaluate("window.sbSeen")
    assert len(seen) >= 3, seen
    assert any(text.startswith(earlier) and text != earlier for earlier in seen for text in seen)
    page.screenshot(path=str(shots / "answer.png"))
    n = marker.get_attribute("data-cite")
    passage = page.locator(f'#sb-cited .sb-passage[data-n="{n}"]')
    assert passage.is_hidden()
    quote = marker.get_attribute("title")
    marker.click()
    passage.wait_for(state="visible")
    highlighted = passage.locator("mark").inner_text()
    assert highlighted.strip() == (quote or "").strip()
    assert len(passage.locator(".sb-doc-text").inner_text()) > len(highlighted)  # shown inside its document
    page.screenshot(path=str(shots / "citation-open.png"))
    assert page.locator("#sb-export").is_visible()
    assert not errors, errors


def test_a_question_the_sources_do_not_answer_ends_in_the_refusal(app_server: RunningApp, browser: Any,
                                                                  shots: Path) -> None:
    """Guarded (the default): the final chat message is the refusal naming what is missing, not a draft."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_server.url)
    page.locator("#sb-question textarea").fill("Who won the 2022 FIFA World Cup?")
    page.locator("#sb-ask").click()
    page.locator("#sb-cited .sb-related").wait_for(timeout=60_000)
    final = page.locator("#sb-chat .message.bot").last.inner_text()
    assert "The sources do not mention FIFA World Cup." in final and REFUSAL in final
    assert "Related passages" in page.locator("#sb-cited").inner_text()
    page.screenshot(path=str(shots / "refusal.png"))


def test_follow_up_keeps_the_conversation(app_server: RunningApp, browser: Any) -> None:
    page = browser.new_page()
    page.goto(app_server.url)
    for i, q in enumerate(("Who mediated the peace talks?", "And what did Russia say about it?")):
        page.locator("#sb-question textarea").fill(q)
        page.locator("#sb-ask").click()
        expect(page.locator("#sb-question textarea")).to_have_value("")  # emptied on send, not at the end
        # A finished answer carries its support label (`cited`, `supported 0.93`, ...).
        page.locator("#sb-chat .message.bot").nth(i).locator("code").first.wait_for(timeout=60_000)
    assert page.locator("#sb-chat .message.bot").count() == 2
    assert page.locator("#sb-chat .message.user").count() == 2


def test_upload_a_file_and_see_it_listed(app_server: RunningApp, browser: Any, shots: Path,
                                         tmp_path: Path) -> None:
    note = tmp_path / "field-notes.md"
    note.write_text("# Field notes\n\nThe delegation met in Geneva on 3 March 2026 to discuss border markers.\n")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = _console_errors(page)
    page.goto(app_server.url)
    page.get_by_role("tab", name="Sources").click()
    page.locator("#sb-table").get_by_text("003_cb3a59321c21f76c.txt").wait_for()
    page.locator("#sb-upload input[type=file]").set_input_files(str(note))
    page.locator("#sb-upload").get_by_text("field-notes.md").first.wait_for()
    page.locator("#sb-ingest").click()
    expect(page.locator("#sb-upload-log textarea")).to_have_value(re.compile("field-notes.md: added"),
                                                                  timeout=60_000)
    page.locator("#sb-table").get_by_text("field-notes.md").wait_for(timeout=20_000)
    page.screenshot(path=str(shots / "sources.png"))
    assert not errors, errors


def test_add_a_page_by_its_address_and_see_it_listed(app_server: RunningApp, browser: Any, shots: Path,
                                                     tmp_path: Path) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "harbour.html").write_text(
        "<!doctype html><html><head><title>Harbour vote delayed</title></head><body><article><h1>Harbour vote "
        "delayed</h1><p>The island council postponed its vote on the new harbour wall to 14 April, its chair said "
        "on Tuesday, after engineers asked for another tidal survey.</p></article></body></html>", encoding="utf-8")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{site.server_address[1]}/harbour.html"
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = _console_errors(page)
        page.goto(app_server.url)
        page.get_by_role("tab", name="Sources").click()
        page.locator("#sb-url textarea, #sb-url input").first.fill(address)
        page.locator("#sb-fetch").click()
        expect(page.locator("#sb-upload-log textarea")).to_have_value(re.compile(re.escape(address) + ": added"),
                                                                      timeout=60_000)
        expect(page.locator("#sb-table")).to_contain_text(address, timeout=20_000)
        page.screenshot(path=str(shots / "sources-url.png"))
        assert not errors, errors
    finally:
        site.shutdown()
        site.server_close()


def test_run_an_eval_suite_from_the_app(app_server: RunningApp, browser: Any, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = _console_errors(page)
    page.goto(app_server.url)
    page.get_by_role("tab", name="Evals").click()
    page.locator("#sb-limit input").fill("2")
    page.locator("#sb-run-eval").click()
    page.locator("#sb-run-folder").get_by_text("Saved in").wait_for(timeout=120_000)
    page.locator("#sb-metrics").get_by_text("refusal_accuracy").wait_for()
    page.screenshot(path=str(shots / "evals.png"), full_page=True)
    first, second, third = (c.id for c in load_suite(REPO_ROOT / "evals" / "suites" / "seeds.yaml").cases[:3])
    expect(page.locator("#sb-cases")).to_contain_text(first)
    expect(page.locator("#sb-cases")).to_contain_text(second)
    expect(page.locator("#sb-cases")).not_to_contain_text(third)
    assert page.locator("#sb-report svg").count() >= 8  # a distribution per metric
    assert not errors, errors


def test_write_a_briefing_and_open_a_citation(app_server: RunningApp, browser: Any, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = _console_errors(page)
    page.goto(app_server.url)
    page.get_by_role("tab", name="Briefing").click()
    page.locator("#sb-write").click()
    page.locator("#sb-brief-status").get_by_text("documents").wait_for(timeout=180_000)
    frame = page.frame_locator("#sb-briefing iframe")
    frame.locator("h1").wait_for()
    cite = frame.locator("a.cite").first
    target = cite.get_attribute("href") or ""
    cite.click()
    expect(frame.locator(f"li{target}")).to_contain_text("characters")  # the footnote with the quoted passage
    assert page.locator("#sb-brief-md").is_visible() and page.locator("#sb-brief-html").is_visible()
    page.screenshot(path=str(shots / "briefing.png"), full_page=True)
    assert not errors, errors


def test_write_a_guide_and_ask_a_suggested_question(app_server: RunningApp, browser: Any, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = _console_errors(page)
    page.goto(app_server.url)
    page.get_by_role("tab", name="Sources").click()
    page.locator("#sb-viewer h3").wait_for(timeout=20_000)  # the first document is picked and shown
    page.locator("#sb-write-guide").click()
    page.locator("#sb-guide .sb-cite").first.wait_for(timeout=120_000)
    expect(page.locator("#sb-guide")).to_contain_text("Suggested questions")
    first = page.locator("#sb-guide li.sb-suggested").first.inner_text().strip()
    page.screenshot(path=str(shots / "guide.png"), full_page=True)
    page.get_by_role("tab", name="Chat").click()
    page.locator("#sb-suggested").get_by_text(first).first.click()
    expect(page.locator("#sb-question textarea")).to_have_value(first, timeout=10_000)
    assert not errors, errors
