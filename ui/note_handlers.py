"""The Notes tab and the "Save to notes" buttons: keep an answer or a briefing section, list, read, export."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from html import escape as _e
from pathlib import Path

from rag.brief import Briefing
from rag.brief.pipeline import check_run_id
from rag.errors import SourcebriefError
from rag.notes import Note, StaleCitation, footnotes, note_markdown
from rag.service import Service
from rag.types import CitedAnswer
from ui.handlers import UserFacingError

__all__ = ["NOTE_HEADERS", "NoteHandlers", "note_html"]

NOTE_HEADERS = ["id", "kept", "kind", "title", "sentences"]


def note_html(note: Note, stale: dict[int, StaleCitation]) -> str:
    """A note with its citation marks and, below, each quote (or why it is no longer shown) and verdict."""
    parts = [f'<div class="sb-note"><h3>{_e(note.title)}</h3><p class="sb-note-meta">{_e(note.kind)} kept '
             f"{_e(note.created_at)} · note {_e(note.id)}</p>"]
    for s in note.sentences:
        lead = f"<b>{_e(s.lead)}:</b> " if s.lead else ""
        marks = "".join(f"<sup>[{c.n}]</sup>" for c in s.citations)
        badge = f' <code class="sb-verdict">{_e(s.verdict.label)} {s.verdict.score:.2f}</code>' if s.verdict else ""
        parts.append(f"<p>{lead}{_e(s.text)}{marks}{badge}</p>")
    items = []
    for c, _ in footnotes(note):
        if c.n in stale:
            items.append(f'<li value="{c.n}" class="sb-stale">{_e(c.file_name)}: quote not shown: '
                         f"{_e(stale[c.n].reason)}</li>")
        else:
            items.append(f'<li value="{c.n}">{_e(c.file_name)}, characters {c.start}-{c.end}: '
                         f"<q>{_e(c.quote)}</q></li>")
    if items:
        parts.append("<ol>" + "".join(items) + "</ol>")
    return "".join(parts) + "</div>"


@dataclass
class NoteHandlers:
    service: Service
    export_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sourcebrief-notes-")))

    def table(self) -> list[list[object]]:
        return [[n.id, n.created_at, n.kind, n.title, len(n.sentences)] for n in self.service.notes.all()]

    def choices(self) -> list[tuple[str, str]]:
        return [(f"{n.title[:70]} ({n.created_at})", n.id) for n in self.service.notes.all()]

    def keep_answer(self, answer_json: str | None) -> str:
        if not answer_json:
            raise UserFacingError("ask a question first: there is no answer to keep")
        try:
            note = self.service.keep_answer(CitedAnswer.model_validate_json(answer_json))
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        return f"Kept in Notes ({note.id})."

    def keep_section(self, run_id: str | None, key: str | None) -> str:
        if not run_id:
            raise UserFacingError("write a briefing first")
        if not key:
            raise UserFacingError("pick a section to keep")
        try:
            path = self.service.work_dir / "briefs" / check_run_id(run_id) / "briefing.json"
            briefing = Briefing.model_validate(json.loads(path.read_text(encoding="utf-8")))
            note = self.service.keep_section(briefing, key)
        except (SourcebriefError, OSError) as exc:
            raise UserFacingError(str(exc)) from exc
        return f"Kept “{note.title}” in Notes ({note.id})."

    def view(self, ref: str | None) -> str:
        if not ref:
            return "<p>Pick a note.</p>"
        try:
            return note_html(*self.service.note(ref))
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc

    def read(self, ref: str | None) -> tuple[str, str]:
        """The note to read (HTML) and as a Markdown file to download, from one look at the notebook."""
        if not ref:
            raise UserFacingError("pick a note")
        try:
            note, stale = self.service.note(ref)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        path = self.export_dir / f"note-{note.id}.md"
        path.write_text(note_markdown(note, stale), encoding="utf-8")
        return note_html(note, stale), str(path)

    def delete(self, ref: str | None) -> str:
        if not ref:
            raise UserFacingError("pick a note to delete")
        try:
            note = self.service.notes.delete(ref)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        return f"Deleted note {note.id}."
