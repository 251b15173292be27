"""The notebook picker's handlers: which notebook each tab works on, and creating, renaming, deleting them."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rag.errors import SourcebriefError
from rag.notebooks import DEFAULT
from rag.service import Service
from ui.brief_handlers import BriefHandlers
from ui.eval_handlers import EvalHandlers
from ui.guide_handlers import GuideHandlers
from ui.handlers import ChatHandlers, SourceHandlers, UserFacingError
from ui.note_handlers import NoteHandlers

__all__ = ["Desk", "NotebookHandlers"]


@dataclass
class Desk:
    """One notebook's tab handlers."""

    notebook_id: str
    chat: ChatHandlers
    docs: SourceHandlers
    evals: EvalHandlers
    briefs: BriefHandlers
    guides: GuideHandlers
    notes: NoteHandlers


class NotebookHandlers:
    """The handlers of every notebook the app has opened (made once each), and the picker's actions."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._desks: dict[str, Desk] = {}
        self._lock = threading.Lock()

    def desk(self, ref: str | None) -> Desk:
        try:
            book = self.service.for_notebook(ref or DEFAULT)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        key = book.notebook.id
        with self._lock:
            if key not in self._desks:
                self._desks[key] = Desk(notebook_id=key, chat=ChatHandlers(book), docs=SourceHandlers(book),
                                        evals=EvalHandlers(book), briefs=BriefHandlers(book),
                                        guides=GuideHandlers(book), notes=NoteHandlers(book))
            return self._desks[key]

    def choices(self) -> list[tuple[str, str]]:
        """(name, id) of every notebook, for the picker."""
        return [(nb.name, nb.id) for nb in self.service.notebooks.all()]

    def opened(self, asked: str | None) -> tuple[str, str]:
        """The notebook a link asks for (`?notebook=` name or id) and a note when there is none by that name."""
        start = self.service.notebook.id  # `serve --notebook NAME` opens that one
        if not asked:
            return start, ""
        try:
            return self.service.notebooks.resolve(asked).id, ""
        except SourcebriefError:
            return start, f"No notebook {asked!r}: showing “{self.service.notebook.name}”."

    def create(self, name: str | None) -> tuple[str, str]:
        try:
            notebook = self.service.notebooks.create(name or "")
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        return notebook.id, f"Created notebook “{notebook.name}”: add sources in the Sources tab."

    def rename(self, ref: str | None, name: str | None) -> tuple[str, str]:
        try:
            notebook = self.service.rename_notebook(ref or DEFAULT, name or "")
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        return notebook.id, f"Renamed to “{notebook.name}”."

    def delete(self, ref: str | None) -> tuple[str | None, str]:
        """Delete the notebook (the browser asked for confirmation; an empty `ref` means it was declined, and the
        picker stays: None)."""
        if not ref:
            return None, "Nothing deleted."
        try:
            book = self.service.for_notebook(ref)
            count = len(book.sources())
            notebook = self.service.delete_notebook(book.notebook.id)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        with self._lock:
            self._desks.pop(notebook.id, None)
        return DEFAULT, f"Deleted notebook “{notebook.name}” and its {count} documents."
