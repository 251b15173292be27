"""What the app's events do, as plain functions of the service: tests call them without a browser.

Library errors come out as `UserFacingError` (one line); `ui.app` turns them into `gr.Error`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from html import escape as _e
from pathlib import Path

from rag.errors import SourcebriefError
from rag.render import answer_markdown
from rag.service import Service
from rag.types import ChatTurn, CitedAnswer, IngestReport, VerifyMode
from ui.render import answer_html, chat_markdown, document_html, export_name, sources_rows

__all__ = ["ChatHandlers", "ChatUpdate", "SourceHandlers", "UserFacingError"]

Message = dict[str, str]


class UserFacingError(Exception):
    """A one-line message for the person using the app."""


@dataclass
class ChatUpdate:
    """One step of a streamed reply: the visible conversation, the turns to remember, the panels."""

    messages: list[Message]
    turns: list[Message]
    answer_html: str = ""
    export_path: str | None = None
    status: str = ""
    answer_json: str = ""  # the final answer, for "Save to notes"


@dataclass
class ChatHandlers:
    service: Service
    export_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sourcebrief-exports-")))

    def source_choices(self) -> list[tuple[str, str]]:
        return [(f"{r.title[:60]} ({r.file_name})", r.id) for r in self.service.sources()]

    def respond(self, question: str, turns: list[Message], sources: Sequence[str] | None,
                verify: VerifyMode | None) -> Iterator[ChatUpdate]:
        """Stream one answer into the conversation; the last update carries the rendered answer.

        `turns` are what the conversation remembers: `content` goes back to the model as history,
        `shown` (answers with citation numbers and verdicts) back to the screen.
        """
        if not question or not question.strip():
            raise UserFacingError("type a question first")
        history = [ChatTurn(role=t["role"], content=t["content"]) for t in turns]
        messages = [{"role": t["role"], "content": t.get("shown", t["content"])} for t in turns]
        shown = [*messages, {"role": "user", "content": question},
                 {"role": "assistant", "content": "_searching the sources…_"}]
        yield ChatUpdate(messages=list(shown), turns=turns, status="searching the sources")
        try:
            for event in self.service.ask_stream(question, history, list(sources or []) or None, verify):
                if event.kind == "status":
                    shown[-1] = {"role": "assistant", "content": f"_{event.text}…_"}
                    yield ChatUpdate(messages=list(shown), turns=turns, status=event.text)
                elif event.kind == "partial":
                    shown[-1] = {"role": "assistant", "content": event.text}
                    yield ChatUpdate(messages=list(shown), turns=turns, status="writing")
                elif event.answer is not None:
                    yield self._final(event.answer, shown, turns)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc

    def _final(self, answer: CitedAnswer, shown: list[Message], turns: list[Message]) -> ChatUpdate:
        shown[-1] = {"role": "assistant", "content": chat_markdown(answer)}
        remembered = [*turns, {"role": "user", "content": answer.question},
                      {"role": "assistant", "content": answer.text, "shown": shown[-1]["content"]}]
        path = self.export_dir / export_name(answer)
        path.write_text(answer_markdown(answer), encoding="utf-8")
        texts: dict[str, str | None] = {}  # one store read per cited document, not per citation

        def document(doc_id: str) -> str | None:
            if doc_id not in texts:
                texts[doc_id] = self._document(doc_id)
            return texts[doc_id]

        return ChatUpdate(messages=list(shown), turns=remembered, answer_html=answer_html(answer, document),
                          export_path=str(path), status=f"done in {answer.timings.get('total', 0):.1f}s",
                          answer_json=answer.model_dump_json())

    def _document(self, doc_id: str) -> str | None:
        """A cited document's cleaned text by its exact id (no registry scan), None when unreadable."""
        try:
            stored = self.service.store.get_document_text(doc_id)
        except SourcebriefError:
            return None
        return stored[0] if stored else None


UploadProgress = Callable[[int, int, str], None]


@dataclass
class SourceHandlers:
    service: Service

    def table(self) -> list[list[object]]:
        return sources_rows(self.service.sources())

    def view(self, ref: str | None) -> str:
        if not ref:
            return "<p>Pick a document.</p>"
        try:
            view = self.service.source(ref)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        r = view.record
        head = (f"<h3>{_e(r.title)}</h3><p>{_e(r.file_name)} · {_e(r.outlet or 'outlet unknown')} · "
                f"{_e(r.author or 'author unknown')} · {r.chars} characters · {r.chunks} chunks · id {r.id}</p>")
        if r.origin is not None:
            head += f"<p>Fetched from {_e(r.origin.url)} on {_e(r.origin.fetched_at)}</p>"
        return head + document_html(view.text, view.removed)

    def upload(self, paths: Sequence[str], on_progress: UploadProgress | None = None) -> str:
        """Ingest uploaded files one by one; each failure is reported, the others still go in."""
        if not paths:
            raise UserFacingError("choose one or more files to upload")
        lines = []
        for i, raw in enumerate(paths):
            path = Path(raw)
            if on_progress:
                on_progress(i, len(paths), path.name)
            try:
                report = self.service.ingest_upload(path.read_bytes(), path.name)
                lines.append(f"{path.name}: {_outcome(report)}")
            except SourcebriefError as exc:
                lines.append(f"{path.name}: not added: {exc}")
        return "\n".join(lines)

    def fetch(self, url: str | None) -> str:
        """Ingest a page by its address; a page that cannot be fetched or read is one line saying why."""
        if not url or not url.strip():
            raise UserFacingError("paste the http(s) address of a page")
        try:
            report = self.service.ingest_url(url.strip())
        except SourcebriefError as exc:
            raise UserFacingError(f"{url.strip()}: not added: {exc}") from exc
        return f"{url.strip()}: {_outcome(report)}"

    def delete(self, ref: str | None) -> str:
        if not ref:
            raise UserFacingError("pick a document to delete")
        try:
            record = self.service.delete_source(ref)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        return f"deleted {record.file_name} ({record.id})"


def _outcome(report: IngestReport) -> str:
    if report.added:
        return f"added ({report.chunks} chunks in the store)"
    if report.updated:
        return "updated"
    return "already in the collection"
