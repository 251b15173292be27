"""The Notes tab: the picked notebook's kept answers and briefing sections, to read, download or delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui.note_handlers import NOTE_HEADERS
from ui.notebook_handlers import Desk

__all__ = ["NotesTab", "notes_tab"]


@dataclass
class NotesTab:
    table: Any
    pick: Any
    refresh: Callable[[str | None], tuple[Any, Any]]


def notes_tab(desk: Callable[[str | None], Desk], notebook: Any,
              friendly: Callable[[Callable[..., Any]], Callable[..., Any]]) -> NotesTab:
    """Build the tab inside the app's Blocks; `refresh(notebook)` gives the table and picker their rows."""
    with gr.Tab("Notes", id="notes"):
        table = gr.Dataframe(headers=NOTE_HEADERS, interactive=False, wrap=True, elem_id="sb-notes")
        with gr.Row():
            pick = gr.Dropdown(label="Note", elem_id="sb-note-pick", scale=3)
            download = gr.DownloadButton("Download Markdown", visible=False, elem_id="sb-note-download")
            delete = gr.Button("Delete note", variant="stop", elem_id="sb-note-delete")
        status = gr.Markdown(elem_id="sb-note-status")
        view = gr.HTML(elem_id="sb-note-view")

    def refresh(nb: str | None) -> tuple[Any, Any]:
        here = desk(nb).notes
        choices = here.choices()
        return here.table(), gr.update(choices=choices, value=choices[0][1] if choices else None)

    def show(nb: str | None, ref: str | None) -> tuple[str, Any]:
        here = desk(nb).notes
        if not ref:
            return "<p>No note picked: keep an answer or a briefing section with “Save to notes”.</p>", \
                gr.update(visible=False)
        html, path = here.read(ref)
        return html, gr.update(value=path, visible=True)

    pick.change(friendly(show), inputs=[notebook, pick], outputs=[view, download])
    delete.click(friendly(lambda nb, ref: desk(nb).notes.delete(ref)), inputs=[notebook, pick],
                 outputs=status).then(friendly(refresh), inputs=notebook, outputs=[table, pick])
    return NotesTab(table=table, pick=pick, refresh=refresh)
