"""The HTTP API: the same typed results as the CLI's `--json`, mounted beside the app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, File, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from rag.answer import AnswerEvent
from rag.brief import Briefing
from rag.brief.render import render_briefing
from rag.errors import ConfigError, InputError, ModelError, NotFoundError, SourcebriefError, StoreError
from rag.guide import SourceGuide
from rag.notebooks import DEFAULT, Notebook
from rag.notes import Note, StaleCitation
from rag.service import Service, SourceView
from rag.types import ChatTurn, CitedAnswer, DocumentRecord, IngestReport, VerifyMode
from ui.brief_handlers import briefing_file

__all__ = ["AskRequest", "BriefRequest", "Health", "KeepRequest", "NoteView", "NotebookInfo", "NotebookName",
           "UrlRequest", "build_router", "error_response", "install_error_handler"]

_STATUS = {InputError: 400, NotFoundError: 404, ConfigError: 500, ModelError: 503, StoreError: 503}


class AskRequest(BaseModel):
    question: str = Field(description="The question, answered only from the sources.")
    history: list[ChatTurn] = Field(default_factory=list, description="Earlier turns, for follow-ups.")
    sources: list[str] | None = Field(None, description="Document ids, id prefixes or file names to search.")
    verify: VerifyMode | None = Field(None, description="Verification mode (default: setting, guarded).")
    stream: bool = Field(False, description="Send newline-delimited JSON events instead of one answer.")


class BriefRequest(BaseModel):
    topic: str | None = Field(None, description="Narrow the briefing to what bears on this topic.")
    sources: list[str] | None = Field(None, description="Document ids, id prefixes or file names to use.")
    verify: VerifyMode | None = Field(None, description="Verification mode (default: setting, guarded).")
    format: Literal["json", "md", "html"] = Field("json", description="json: the typed Briefing; md or html: "
                                                  "the rendered document.")


class UrlRequest(BaseModel):
    url: str = Field(description="An http(s) address of a page or document to fetch and ingest.")


class KeepRequest(BaseModel):
    answer: CitedAnswer | None = Field(None, description="An answer, as /ask returned it.")
    briefing: Briefing | None = Field(None, description="A briefing, as /brief returned it (with `section`).")
    section: str | None = Field(None, description="summary, facts, who_says_what, contention, missing or timeline.")


class NoteView(BaseModel):
    note: Note
    stale: list[StaleCitation] = Field(description="Citations whose quote is no longer in the notebook, and why.")


class NotebookName(BaseModel):
    name: str = Field(description="The notebook's display name (unique in any case).")


class NotebookInfo(Notebook):
    documents: int = Field(description="Documents in the notebook.")


class Health(BaseModel):
    ok: bool
    documents: int
    chunks: int


class ErrorBody(BaseModel):
    error: str


def error_response(exc: SourcebriefError) -> JSONResponse:
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 500)
    return JSONResponse({"error": str(exc)}, status_code=status)


def build_router(service: Service) -> APIRouter:
    """Routes that call the service; errors become `{"error": "..."}` with a fitting status.

    The document routes work on a notebook: `/api/notebooks/{notebook}/ask`, ... (a name or an id), and the
    same routes without the prefix (`/api/ask`, ...) on `default`, or on `?notebook=` when given."""
    router = APIRouter(responses={400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    scoped = APIRouter()
    max_bytes = int(service.settings.max_file_mb * 1_000_000)

    def on(notebook: str = DEFAULT) -> Service:
        return service.for_notebook(notebook)

    book_of = Depends(on)  # the notebook's service: from the path's {notebook}, else ?notebook=, else default

    @router.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        return Health(ok=True, documents=len(service.sources()), chunks=service.store.count_chunks())

    @router.get("/api/notebooks", response_model=list[NotebookInfo], tags=["notebooks"])
    def list_notebooks() -> list[NotebookInfo]:
        return [NotebookInfo(**nb.model_dump(), documents=len(service.for_notebook(nb).sources()))
                for nb in service.notebooks.all()]

    @router.post("/api/notebooks", response_model=Notebook, tags=["notebooks"])
    def create_notebook(body: NotebookName) -> Notebook:
        return service.notebooks.create(body.name)

    @router.patch("/api/notebooks/{notebook}", response_model=Notebook, tags=["notebooks"])
    def rename_notebook(notebook: str, body: NotebookName) -> Notebook:
        return service.rename_notebook(notebook, body.name)

    @router.delete("/api/notebooks/{notebook}", response_model=Notebook, tags=["notebooks"])
    def delete_notebook(notebook: str) -> Notebook:
        """Delete a notebook with all its documents, guides, briefings, notes and eval runs."""
        return service.delete_notebook(notebook)

    @scoped.get("/sources", response_model=list[DocumentRecord], tags=["sources"])
    def list_sources(book: Service = book_of) -> list[DocumentRecord]:
        return book.sources()

    @scoped.get("/sources/{ref}", response_model=SourceView, tags=["sources"])
    def show_source(ref: str, book: Service = book_of) -> SourceView:
        return book.source(ref)

    @scoped.get("/sources/{ref}/guide", response_model=SourceGuide, tags=["sources"])
    def source_guide(ref: str, book: Service = book_of, refresh: bool = False) -> SourceGuide:
        """The document's source guide: written on first request, then served from the cache."""
        return book.guide(ref, refresh=refresh)

    @scoped.delete("/sources/{ref}", response_model=DocumentRecord, tags=["sources"])
    def delete_source(ref: str, book: Service = book_of) -> DocumentRecord:
        return book.delete_source(ref)

    @scoped.post("/ingest", response_model=IngestReport, tags=["sources"])
    def ingest(file: Annotated[UploadFile, File(description="A .txt, .md, .html or .pdf file.")],
               book: Service = book_of) -> IngestReport:
        name = book.upload_name(file.filename or "")  # before reading: a refused type is never read
        data = file.file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(f"file too large (limit {service.settings.max_file_mb:g} MB)")
        return book.ingest_upload(data, name)

    @scoped.post("/ingest/url", response_model=IngestReport, tags=["sources"])
    def ingest_url(body: UrlRequest, book: Service = book_of) -> IngestReport:
        """Fetch a page by its address and ingest it (http(s) only; private addresses refused unless allowed)."""
        return book.ingest_url(body.url)

    @scoped.post("/ask", response_model=CitedAnswer, tags=["ask"])
    def ask(body: AskRequest, book: Service = book_of) -> CitedAnswer | StreamingResponse:
        if not body.stream:
            return book.ask(body.question, body.history, body.sources, body.verify)
        events = book.ask_stream(body.question, body.history, body.sources, body.verify)
        first = next(events)  # bad input fails here, before the 200 goes out
        return StreamingResponse(_ndjson(first, events), media_type="application/x-ndjson")

    @scoped.post("/brief", response_model=Briefing, tags=["brief"],
                 responses={200: {"content": {"text/markdown": {}, "text/html": {}}}})
    def brief(body: BriefRequest, book: Service = book_of) -> Briefing | Response:
        briefing = book.brief(body.topic, body.sources, verify=body.verify)
        if body.format == "json":
            return briefing
        media = "text/markdown" if body.format == "md" else "text/html"
        return Response(render_briefing(briefing, body.format), media_type=f"{media}; charset=utf-8")

    @scoped.get("/briefs/{run_id}/briefing.{fmt}", tags=["brief"])
    def saved_briefing(run_id: str, fmt: str, book: Service = book_of) -> FileResponse:
        """A briefing the app wrote, by run id (what the Briefing tab shows and downloads)."""
        path = briefing_file(book, run_id, fmt)
        media = {"md": "text/markdown", "html": "text/html", "json": "application/json"}[fmt]
        return FileResponse(path, media_type=media)

    @scoped.get("/notes", response_model=list[Note], tags=["notes"])
    def list_notes(book: Service = book_of) -> list[Note]:
        return book.notes.all()

    @scoped.post("/notes", response_model=Note, tags=["notes"])
    def keep_note(body: KeepRequest, book: Service = book_of) -> Note:
        """Keep an answer (`{"answer": CitedAnswer}`) or a briefing's section (`{"briefing": Briefing,
        "section": "contention"}`) in the notebook's notes."""
        if (body.answer is None) == (body.briefing is None):
            raise InputError("give an answer, or a briefing and one of its sections")
        if body.answer is not None:
            return book.keep_answer(body.answer)
        assert body.briefing is not None
        return book.keep_section(body.briefing, body.section or "summary")

    @scoped.get("/notes/{ref}", response_model=NoteView, tags=["notes"])
    def show_note(ref: str, book: Service = book_of) -> NoteView:
        """A note and the citations whose document was deleted or changed since (their quotes not to be shown)."""
        note, stale = book.note(ref)
        return NoteView(note=note, stale=list(stale.values()))

    @scoped.get("/notes/{ref}/export", tags=["notes"], responses={200: {"content": {"text/markdown": {}}}})
    def export_note(ref: str, book: Service = book_of) -> Response:
        return Response(book.note_markdown(ref), media_type="text/markdown; charset=utf-8")

    @scoped.delete("/notes/{ref}", response_model=Note, tags=["notes"])
    def delete_note(ref: str, book: Service = book_of) -> Note:
        return book.notes.delete(ref)

    router.include_router(scoped, prefix="/api")
    router.include_router(scoped, prefix="/api/notebooks/{notebook}")
    return router


def _ndjson(first: AnswerEvent, rest: Iterator[AnswerEvent]) -> Iterator[str]:
    """Each event as a JSON line; a failure after the 200 went out becomes a last `error` line."""
    def line(kind: str, text: str, answer: CitedAnswer | None = None) -> str:
        payload: dict[str, object] = {"kind": kind, "text": text}
        if answer is not None:
            payload["answer"] = answer.model_dump(mode="json")
        return json.dumps(payload) + "\n"

    yield line(first.kind, first.text, first.answer)
    try:
        for event in rest:
            yield line(event.kind, event.text, event.answer)
    except SourcebriefError as exc:
        yield line("error", str(exc))


def install_error_handler(app: FastAPI) -> None:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SourcebriefError)
        return error_response(exc)

    app.add_exception_handler(SourcebriefError, handle)
