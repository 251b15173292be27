"""The app's handlers as plain functions, on a real embedded Chroma with the fake model."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import REPO_ROOT
from rag.service import Service
from ui.handlers import ChatHandlers, SourceHandlers, UserFacingError
from ui.render import answer_html


@pytest.fixture
def loaded(service: Service) -> Service:
    service.ingest([REPO_ROOT / "seeds"])
    return service


def test_respond_streams_then_ends_with_a_cited_answer(loaded: Service, tmp_path: Path) -> None:
    chat = ChatHandlers(loaded, export_dir=tmp_path)
    steps = list(chat.respond("What did Zakharova say about the negotiations?", [], None, "off"))
    assert len(steps) >= 4
    assert steps[0].messages[-1]["content"].startswith("_searching")
    partials = [s.messages[-1]["content"] for s in steps if s.status == "writing"]
    assert len(partials) >= 2 and partials[-1].startswith(partials[0])
    final = steps[-1]
    assert [m["role"] for m in final.turns] == ["user", "assistant"]
    assert 'class="sb-cite"' in final.answer_html and "<mark>" in final.answer_html
    export = Path(final.export_path or "")
    assert export.read_text().count("[^1]") >= 2  # marker and footnote


def test_follow_up_sends_the_earlier_turns_as_history(loaded: Service, tmp_path: Path) -> None:
    chat = ChatHandlers(loaded, export_dir=tmp_path)
    first = list(chat.respond("Who is Maria Zakharova?", [], None, "off"))[-1]
    second = list(chat.respond("What did she say about the USA?", first.turns, None, "off"))[-1]
    assert len(second.turns) == 4 and len(second.messages) == 4
    assert second.messages[1]["content"] == first.messages[1]["content"]  # the shown answer, with badges


def test_source_filter_limits_citations_to_the_chosen_document(loaded: Service, tmp_path: Path) -> None:
    chat = ChatHandlers(loaded, export_dir=tmp_path)
    only = loaded.resolve_source("004_f1439a8cd7274eed.txt").id
    final = list(chat.respond("What is Russia's role?", [], [only], "off"))[-1]
    assert "004_f1439a8cd7274eed.txt" in final.answer_html
    assert "000_4cf79fb7c8a49485.txt" not in final.answer_html


def test_empty_question_is_a_one_line_error(loaded: Service, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="type a question"):
        list(ChatHandlers(loaded, export_dir=tmp_path).respond("   ", [], None, "off"))


def test_unknown_source_is_a_one_line_error(loaded: Service, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="no document"):
        list(ChatHandlers(loaded, export_dir=tmp_path).respond("Who?", [], ["nope-nope"], "off"))


def test_upload_lists_each_file_and_keeps_going_after_a_bad_one(loaded: Service, tmp_path: Path) -> None:
    good = tmp_path / "notes.md"
    good.write_text("# Notes\n\nTalks resumed in Geneva on 3 March 2026 with both delegations present.\n")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    before = len(loaded.sources())
    log = SourceHandlers(loaded).upload([str(binary), str(exe), str(good)])
    lines = log.splitlines()
    assert lines[0].startswith("blob.txt: not added:")
    assert lines[1].startswith("tool.exe: not added: file type not accepted")
    assert lines[2].startswith("notes.md: added")
    assert len(loaded.sources()) == before + 1


def test_view_shows_cleaned_text_and_what_cleaning_removed(loaded: Service) -> None:
    docs = SourceHandlers(loaded)
    rows = docs.table()
    assert len(rows) == 5 and all(isinstance(r[7], int) for r in rows)
    html = docs.view("000_4cf79fb7c8a49485.txt")
    assert "Removed by cleaning" in html and "chunks" in html


def test_delete_removes_the_document(loaded: Service) -> None:
    docs = SourceHandlers(loaded)
    assert docs.delete("000_4cf79fb7c8a49485.txt").startswith("deleted 000_")
    assert len(docs.table()) == 4
    with pytest.raises(UserFacingError, match="no document"):
        docs.delete("000_4cf79fb7c8a49485.txt")


def test_answer_html_escapes_document_and_model_text(loaded: Service) -> None:
    answer = loaded.ask("What did Zakharova say?", verify="off")
    hostile = answer.model_copy(update={"sentences": tuple(
        s.model_copy(update={"text": "<script>alert(1)</script>"}) for s in answer.sentences)})
    html = answer_html(hostile, lambda _: "<img src=x onerror=alert(1)> body")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_a_refusal_shows_the_closest_passages(loaded: Service, tmp_path: Path) -> None:
    final = list(ChatHandlers(loaded, export_dir=tmp_path).respond(
        "What is the recipe for Armenian lavash bread baked in a tonir oven?", [], None, "off"))[-1]
    if "Related passages" not in final.answer_html:  # the fake model may still answer; force the refusal path
        answer = loaded.ask("What is the recipe for lavash?", verify="off")
        refused = answer.model_copy(update={"refused": True, "sentences": (answer.sentences[0].model_copy(
            update={"text": "The sources do not contain enough information to answer this question.",
                    "citations": (), "flags": ("refusal",)}),)})
        html = answer_html(refused, lambda _: None)
    else:
        html = final.answer_html
    assert "Related passages" in html and html.count("<li>") >= 1
    assert "sb-cite" not in html


def test_a_verdict_badge_says_why_in_its_tooltip(loaded: Service) -> None:
    from rag.types import Verdict

    answer = loaded.ask("What did Zakharova say?", verify="off")
    verdict = Verdict(label="unsupported", score=0.41, signals={"model": 0.9, "coverage": 0.5, "similarity": 0.62},
                      issues=("name(s) Putin not in the passage",))
    judged = answer.model_copy(update={"sentences": tuple(
        s.model_copy(update={"verdict": verdict}) for s in answer.sentences)})
    html = answer_html(judged, lambda _: "body")
    assert ('title="verifier verdict: unsupported 0.41 (judge 0.90, word coverage 0.50, closest sentence 0.62); '
            'checks: name(s) Putin not in the passage"') in html
