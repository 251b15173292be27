"""Notes: answers and briefing sections kept in a notebook, with citations and verdicts; stale quotes flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rag.errors import InputError, NotFoundError
from rag.service import Service
from tests.test_brief import brief_service  # noqa: F401 (the fixture)
from ui.note_handlers import NoteHandlers
from ui.server import create_server

QUESTION = "What did Zakharova say about the European Union mission?"
ZAKHAROVA = "003_cb3a59321c21f76c.txt"


def _kept(service: Service) -> tuple[str, str]:
    """Keep an answer citing the Caucasus Watch piece; its note id and the quote it cites."""
    answer = service.ask(QUESTION, verify="annotate")
    assert not answer.declined
    note = service.keep_answer(answer)
    quote = next(c.quote for s in note.sentences for c in s.citations)
    return note.id, quote


def test_an_answer_is_kept_with_its_citations_and_verdicts(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    answer = service.ask(QUESTION, verify="annotate")
    note = service.keep_answer(answer)
    assert note.kind == "answer" and note.title == QUESTION
    assert [s.text for s in note.sentences] == [s.text for s in answer.sentences]
    assert all(s.verdict is not None for s in note.sentences)
    stored = json.loads((service.work_dir / "notes" / f"{note.id}.json").read_text())
    assert stored["sentences"][0]["citations"][0]["quote"] == note.sentences[0].citations[0].quote
    assert service.notes.all() == [note] and service.notes.get(note.id[:6]) == note
    markdown = service.note_markdown(note.id)
    first = note.sentences[0].citations[0]
    assert f"[^{first.n}]" in markdown and f'"{first.quote}"' in markdown and "(verdict: " in markdown
    assert service.notes.delete(note.id) == note and service.notes.all() == []
    with pytest.raises(NotFoundError):
        service.notes.get(note.id)
    with pytest.raises(InputError, match="bad note id"):
        service.notes.get("../etc")


def test_a_refusal_is_not_kept(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    refused = service.ask("What is the recipe for lemon cake?", verify="guarded")
    assert refused.declined
    with pytest.raises(InputError, match="nothing to keep"):
        service.keep_answer(refused)


def test_a_note_whose_document_was_deleted_or_changed_says_so(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    changed_id, quote = _kept(service)
    path = seeds_copy / ZAKHAROVA
    path.write_text(path.read_text(encoding="utf-8").replace("Zakharova", "Zakharova (spokesperson)"),
                    encoding="utf-8")
    service.ingest([seeds_copy])  # the file's content changed: a new document id
    _, stale = service.note(changed_id)
    assert stale and all("has changed since this note was kept" in s.reason for s in stale.values())
    markdown = service.note_markdown(changed_id)
    assert "quote not shown" in markdown and f'"{quote}"' not in markdown
    deleted_id, _ = _kept(service)
    service.delete_source(ZAKHAROVA)
    _, stale = service.note(deleted_id)
    assert stale and all("is no longer in this notebook" in s.reason for s in stale.values())
    html = NoteHandlers(service).view(deleted_id)
    assert "quote not shown" in html and "no longer in this notebook" in html
    read, path = NoteHandlers(service).read(deleted_id)  # the Notes tab: the page and the download at once
    assert read == html and Path(path).read_text(encoding="utf-8") == service.note_markdown(deleted_id)


def test_a_briefing_section_is_kept(brief_service) -> None:  # noqa: F811 (the fixture)
    service, _model, _judge = brief_service
    briefing = service.brief(verify="annotate", run_id="notes-1")
    note = service.keep_section(briefing, "who_says_what")
    assert note.kind == "briefing" and note.title.endswith(": Who says what")
    section = briefing.section("who_says_what")
    assert section is not None and [s.text for s in note.sentences] == [s.text for s in section.sentences]
    assert [c.n for s in note.sentences for c in s.citations][:1] == [1]  # numbered afresh
    with pytest.raises(InputError, match="no section 'nonsense'"):
        service.keep_section(briefing, "nonsense")
    # The app keeps a section of the briefing it wrote (saved as briefing.json in the run's folder).
    folder = service.work_dir / "briefs" / "notes-1"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "briefing.json").write_text(briefing.model_dump_json(), encoding="utf-8")
    message = NoteHandlers(service).keep_section("notes-1", "timeline")
    assert message.startswith("Kept “") and len(service.notes.all()) == 2


def test_notes_belong_to_their_notebook(service: Service, seeds_copy: Path) -> None:
    service.ingest([seeds_copy])
    other = service.for_notebook(service.notebooks.create("Other").id)
    other.ingest([seeds_copy])
    note_id, _ = _kept(other)
    assert service.notes.all() == [] and [n.id for n in other.notes.all()] == [note_id]
    service.delete_notebook("other")
    assert not (other.work_dir / "notes").exists()


def test_notes_through_the_cli_and_the_api(service: Service, seeds_copy: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.cli import app

    for key, value in {"SOURCEBRIEF_DATA_DIR": str(service.settings.data_dir), "SOURCEBRIEF_EMBEDDING_PROVIDER":
                       "fake", "SOURCEBRIEF_LLM_PROVIDER": "fake", "SOURCEBRIEF_VERIFY_MODE": "annotate"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SOURCEBRIEF_CHROMA_HOST", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(seeds_copy)]).exit_code == 0
    kept = runner.invoke(app, ["ask", QUESTION, "--keep", "--markdown"])
    assert kept.exit_code == 0, kept.output
    [note] = Service(service.settings).notes.all()
    listed = runner.invoke(app, ["notes", "list"])
    assert note.id in listed.output and "answer" in listed.output
    shown = runner.invoke(app, ["notes", "show", note.id])
    assert "**Q:** " + QUESTION in shown.output and "[^1]:" in shown.output
    exported = tmp_path / "out" / "note.md"
    assert runner.invoke(app, ["notes", "export", note.id, "--out", str(exported)]).exit_code == 0
    assert exported.read_text(encoding="utf-8") == shown.output
    client = TestClient(create_server(Service(service.settings)))
    answer = client.post("/api/ask", json={"question": QUESTION, "verify": "annotate"}).json()
    made = client.post("/api/notes", json={"answer": answer}).json()
    assert made["title"] == QUESTION
    assert client.post("/api/notes", json={}).status_code == 400
    view = client.get(f"/api/notes/{made['id']}").json()
    assert view["note"]["id"] == made["id"] and view["stale"] == []
    assert client.get(f"/api/notes/{made['id']}/export").text.startswith("**Q:** ")
    assert {n["id"] for n in client.get("/api/notes").json()} == {note.id, made["id"]}
    assert client.delete(f"/api/notes/{made['id']}").json()["id"] == made["id"]
    assert runner.invoke(app, ["notes", "delete", note.id]).exit_code == 0
    assert client.get("/api/notes").json() == []
