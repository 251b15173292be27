"""`sourcebrief notes list|show|delete|export`: answers and briefing sections kept in a notebook (`rag.notes`).

Notes are kept with `sourcebrief ask ... --keep` and `sourcebrief brief ... --keep SECTION`, the app's "Save to
notes" buttons, or `POST /api/notes`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rag.cli_kit import JsonOpt, NotebookOpt, make_service, out, print_json

__all__ = ["notes_app"]

notes_app = typer.Typer(help="Answers and briefing sections kept in a notebook, with their citations and verdicts.",
                        no_args_is_help=True)

NoteArg = Annotated[str, typer.Argument(help="The note's id (or a unique prefix of it, 4+ characters).")]


@notes_app.command("list")
def notes_list(notebook: NotebookOpt = None, as_json: JsonOpt = False) -> None:
    """The notebook's notes, newest first."""
    notes = make_service(notebook).notes.all()
    if as_json:
        print_json(notes)
        return
    table = Table("id", "kept", "kind", "title", "sentences")
    for note in notes:
        table.add_row(note.id, note.created_at, note.kind, note.title[:70], str(len(note.sentences)))
    out.print(table)


@notes_app.command("show")
def notes_show(ref: NoteArg, notebook: NotebookOpt = None, as_json: JsonOpt = False) -> None:
    """A note as Markdown with footnotes; a citation whose document was deleted or changed says so."""
    service = make_service(notebook)
    if as_json:
        note, stale = service.note(ref)
        print_json({"note": note.model_dump(mode="json"),
                    "stale": [s.model_dump(mode="json") for s in stale.values()]})
        return
    sys.stdout.write(service.note_markdown(ref))


@notes_app.command("export")
def notes_export(ref: NoteArg, out_file: Annotated[Path, typer.Option("--out", help="Markdown file to write.")],
                 notebook: NotebookOpt = None) -> None:
    """Write a note to a Markdown file (footnotes carry each quote and verdict)."""
    text = make_service(notebook).note_markdown(ref)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    out.print(f"written to {out_file}", highlight=False)


@notes_app.command("delete")
def notes_delete(ref: NoteArg, notebook: NotebookOpt = None) -> None:
    """Delete a note."""
    note = make_service(notebook).notes.delete(ref)
    out.print(f"deleted note {note.id} ({note.title[:60]})", highlight=False)
