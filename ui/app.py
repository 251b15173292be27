"""The Gradio app: a notebook picker over Chat, Briefing, Sources and Evals tabs. Logic lives in the handlers
(`ui.handlers`, `ui.notebook_handlers`, ...); every event takes the picked notebook and works on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import gradio as gr

from rag.brief import SECTION_TITLES
from rag.notebooks import DEFAULT
from rag.service import Service
from rag.types import VERIFY_MODES
from ui.eval_handlers import CASE_HEADERS
from ui.handlers import ChatUpdate, UserFacingError
from ui.notebook_handlers import NotebookHandlers
from ui.notes_tab import notes_tab
from ui.render import CITE_JS

__all__ = ["build_app"]

T = TypeVar("T")

_SOURCE_HEADERS = ["id", "file", "title", "outlet", "author", "format", "characters", "chunks", "ingested"]


def _friendly(fn: Callable[..., T]) -> Callable[..., T]:
    """Show library errors as a one-line message in the app instead of a stack trace."""
    def wrapped(*args: Any) -> T:
        try:
            return fn(*args)
        except UserFacingError as exc:
            raise gr.Error(str(exc)) from exc
    return wrapped


#: Keeps the picked notebook in the address bar, so a link opens it.
_URL_JS = "(id) => { const u = new URL(window.location); u.searchParams.set('notebook', id); " \
          "window.history.replaceState(null, '', u); return id; }"
#: Asks before a notebook is deleted; the answer goes in a hidden box (the picker only takes notebook ids).
_CONFIRM_DELETE_JS = "(id, _) => [id, confirm('Delete this notebook with all its documents, guides, briefings " \
                     "and eval runs?') ? id : '']"


def build_app(service: Service) -> gr.Blocks:
    books = NotebookHandlers(service)
    desk = books.desk
    evals = desk(None).evals  # suites are the same for every notebook
    with gr.Blocks(title="sourcebrief") as app:
        gr.Markdown("## sourcebrief\nAnswers only from your sources; every sentence cites the passage it "
                    "rests on, and the verifier's verdict says whether the passage supports it.")
        with gr.Row(elem_id="sb-notebook-bar"):
            notebook = gr.Dropdown(label="Notebook", choices=books.choices(), value=service.notebook.id,
                                   elem_id="sb-notebook", scale=2)
            notebook_name = gr.Textbox(label="Name (new notebook, or a new name for this one)",
                                       elem_id="sb-notebook-name", scale=2)
            with gr.Column(scale=1, min_width=160):
                create = gr.Button("New notebook", elem_id="sb-notebook-create", size="sm")
                rename = gr.Button("Rename", elem_id="sb-notebook-rename", size="sm")
                drop = gr.Button("Delete notebook", variant="stop", elem_id="sb-notebook-delete", size="sm")
        notebook_status = gr.Markdown(elem_id="sb-notebook-status")
        deleting = gr.Textbox(visible=False)
        turns = gr.State([])
        last_answer = gr.State("")  # the last final answer (JSON), for "Save to notes"
        brief_run = gr.State("")  # the last briefing's run id, for "Save section to notes"
        with gr.Tab("Chat", id="chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Conversation", height=420, elem_id="sb-chat",
                                         buttons=["copy"])
                    question = gr.Textbox(label="Question", placeholder="Ask about your sources…",
                                          elem_id="sb-question", lines=1)
                    with gr.Row():
                        ask = gr.Button("Ask", variant="primary", elem_id="sb-ask")
                        new = gr.Button("New conversation")
                    status = gr.Markdown(elem_id="sb-status")
                    suggested = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[],
                                           label="Suggested questions (from the guide of the document picked in "
                                           "Sources; click one to ask it)", elem_id="sb-suggested", visible=False)
                with gr.Column(scale=2):
                    sources = gr.CheckboxGroup(label="Use only these sources (none ticked = all)",
                                               elem_id="sb-sources")
                    verify = gr.Radio(list(VERIFY_MODES), value=service.settings.verify_mode,
                                      label="Verify each sentence")
                    cited = gr.HTML(label="Answer with citations", elem_id="sb-cited", js_on_load=CITE_JS)
                    with gr.Row():
                        export = gr.DownloadButton("Download answer (Markdown)", visible=False, elem_id="sb-export")
                        keep_answer = gr.Button("Save to notes", elem_id="sb-keep-answer", size="sm")
                    keep_status = gr.Markdown(elem_id="sb-keep-status")
        with gr.Tab("Briefing", id="briefing"):
            with gr.Row():
                with gr.Column(scale=1):
                    topic = gr.Textbox(label="Topic (empty = the whole collection)", elem_id="sb-topic")
                    brief_sources = gr.CheckboxGroup(label="Use only these sources (none ticked = all)",
                                                     elem_id="sb-brief-sources")
                    brief_verify = gr.Radio(list(VERIFY_MODES), value=service.settings.verify_mode,
                                            label="Verify each sentence")
                    write = gr.Button("Write briefing", variant="primary", elem_id="sb-write")
                    brief_status = gr.Markdown(elem_id="sb-brief-status")
                    brief_md = gr.DownloadButton("Download Markdown", visible=False, elem_id="sb-brief-md")
                    brief_html = gr.DownloadButton("Download HTML", visible=False, elem_id="sb-brief-html")
                    with gr.Row():
                        section = gr.Dropdown([(title, key) for key, title in SECTION_TITLES.items()],
                                              value="summary", label="Section", elem_id="sb-section", scale=2)
                        keep_section = gr.Button("Save section to notes", elem_id="sb-keep-section", size="sm")
                    section_status = gr.Markdown(elem_id="sb-section-status")
                with gr.Column(scale=3):
                    briefing_view = gr.HTML(elem_id="sb-briefing")
        with gr.Tab("Sources", id="sources"):
            table = gr.Dataframe(headers=_SOURCE_HEADERS, interactive=False, elem_id="sb-table", wrap=True)
            with gr.Row():
                pick = gr.Dropdown(label="Document", elem_id="sb-pick")
                delete = gr.Button("Delete document", variant="stop")
            with gr.Row():
                files = gr.File(label="Add files (.txt, .md, .html, .pdf)", file_count="multiple",
                                file_types=list(service.settings.upload_types), elem_id="sb-upload")
                upload = gr.Button("Ingest uploaded files", elem_id="sb-ingest")
            with gr.Row():
                url = gr.Textbox(label="Add a page by its address (http or https)", placeholder="https://…",
                                 elem_id="sb-url", scale=3)
                fetch = gr.Button("Fetch and ingest", elem_id="sb-fetch")
            upload_log = gr.Textbox(label="Ingest log", lines=3, interactive=False, elem_id="sb-upload-log")
            with gr.Row():
                viewer = gr.HTML(elem_id="sb-viewer")
                with gr.Column():
                    write_guide = gr.Button("Write guide", elem_id="sb-write-guide")
                    guide_view = gr.HTML(elem_id="sb-guide")
        with gr.Tab("Evals", id="evals"):
            with gr.Row():
                suite = gr.Dropdown(evals.suites(), label="Suite", elem_id="sb-suite",
                                    value=next(iter(evals.suites()), None))
                limit = gr.Number(label="Only the first N cases (empty = all)", precision=0, elem_id="sb-limit")
                run_eval = gr.Button("Run suite", variant="primary", elem_id="sb-run-eval")
            run_folder = gr.Markdown(elem_id="sb-run-folder")
            with gr.Row():
                metrics = gr.Dataframe(headers=["metric", "mean", "n"], interactive=False, elem_id="sb-metrics",
                                       scale=1)
                plots = gr.HTML(elem_id="sb-report")
            cases = gr.Dataframe(headers=CASE_HEADERS, interactive=False, wrap=True, elem_id="sb-cases")
            with gr.Row():
                run_a = gr.Dropdown(label="Run A", elem_id="sb-run-a")
                run_b = gr.Dropdown(label="Run B", elem_id="sb-run-b")
                compare = gr.Button("Compare", elem_id="sb-compare")
            deltas = gr.Dataframe(headers=["metric", "A", "B", "B - A"], interactive=False, elem_id="sb-deltas")
            changed = gr.Textbox(label="Cases whose outcome changed", lines=4, interactive=False)
        notes = notes_tab(desk, notebook, _friendly)

        def refresh(nb: str | None) -> tuple[Any, Any, Any, Any]:
            here = desk(nb)
            choices = here.chat.source_choices()
            return (gr.update(choices=choices, value=[]), here.docs.table(),
                    gr.update(choices=choices, value=choices[0][1] if choices else None),
                    gr.update(choices=choices, value=[]))

        def switched(nb: str | None) -> tuple[Any, ...]:
            """Another notebook: its sources and runs; the conversation, answer and briefing start empty."""
            runs = desk(nb).evals.runs()
            return (*refresh(nb), [], [], "", gr.update(visible=False), "", "", gr.update(choices=runs, value=None),
                    gr.update(choices=runs, value=None), "", "", *notes.refresh(nb))

        def opened(request: gr.Request) -> tuple[Any, str]:
            nb, note = books.opened(request.query_params.get("notebook") if request else None)
            return gr.update(choices=books.choices(), value=nb), note

        def picked(result: tuple[str | None, str]) -> tuple[Any, str, str]:
            nb, note = result
            value = gr.update() if nb is None else gr.update(choices=books.choices(), value=nb)
            return value, note, ""

        def write_briefing(nb: str | None, t: str, only: list[str] | None, mode: str,
                           progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            def step(stage: str, done: int, total: int) -> None:
                progress((done, total) if total else None, desc=f"stage: {stage}")
            here = desk(nb)
            view = here.briefs.write(t, only, mode, step)  # type: ignore[arg-type]
            prefix = "api" if here.notebook_id == DEFAULT else f"api/notebooks/{here.notebook_id}"
            frame = (f'<iframe title="briefing" src="{prefix}/briefs/{view.run_id}/briefing.html" '
                     'style="width:100%;height:760px;border:1px solid #ddd;border-radius:6px"></iframe>')
            return (view.summary, gr.update(value=str(view.paths["md"]), visible=True),
                    gr.update(value=str(view.paths["html"]), visible=True), frame, view.run_id)

        def respond(nb: str | None, q: str, kept: list[dict[str, str]], only: list[str] | None,
                    mode: str) -> Iterator[tuple[Any, ...]]:
            try:
                for step in desk(nb).chat.respond(q, kept, only or None, mode):  # type: ignore[arg-type]
                    yield _outputs(step)
            except UserFacingError as exc:
                raise gr.Error(str(exc)) from exc

        def ingest(nb: str | None, paths: list[str] | None,
                   progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
            def step(i: int, n: int, name: str) -> None:
                progress((i, n), desc=f"ingesting {name}")
            return desk(nb).docs.upload(paths or [], step)

        def run_suite(nb: str | None, name: str, n: float | None,
                      progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            here = desk(nb).evals
            view = here.run(name, int(n) if n else None, lambda done, total: progress((done, total), desc="cases"))
            runs = here.runs()
            return (f"Saved in `{view.folder}`", view.summary_rows, view.report, view.case_rows,
                    gr.update(choices=runs), gr.update(choices=runs, value=runs[0] if runs else None))

        def show_guide(nb: str | None, ref: str | None,
                       progress: gr.Progress = gr.Progress()) -> tuple[Any, Any]:  # noqa: B008
            def step(stage: str, done: int, total: int) -> None:
                progress((done, total) if total else None, desc=f"guide: {stage}")
            view = desk(nb).guides.write(ref, step)
            return view.html, gr.update(samples=[[q] for q in view.questions], visible=bool(view.questions))

        def cached_guide(nb: str | None, ref: str | None) -> tuple[Any, Any]:
            view = desk(nb).guides.cached(ref)
            return view.html, gr.update(samples=[[q] for q in view.questions], visible=bool(view.questions))

        sync = [sources, table, pick, brief_sources]
        fresh = [*sync, chatbot, turns, cited, export, status, briefing_view, run_a, run_b, last_answer, brief_run,
                 notes.table, notes.pick]
        # A link with ?notebook= opens that notebook; every switch refreshes the tabs and the address bar.
        app.load(opened, outputs=[notebook, notebook_status]).then(_friendly(switched), inputs=notebook,
                                                                   outputs=fresh)
        notebook.input(_friendly(switched), inputs=notebook, outputs=fresh)
        notebook.change(None, inputs=notebook, js=_URL_JS)
        bar = [notebook, notebook_status, notebook_name]
        create.click(_friendly(lambda nb, name: picked(books.create(name))), inputs=[notebook, notebook_name],
                     outputs=bar).then(_friendly(switched), inputs=notebook, outputs=fresh)
        rename.click(_friendly(lambda nb, name: picked(books.rename(nb, name))), inputs=[notebook, notebook_name],
                     outputs=bar).then(_friendly(switched), inputs=notebook, outputs=fresh)
        drop.click(_friendly(lambda nb, confirmed: picked(books.delete(confirmed))), inputs=[notebook, deleting],
                   outputs=bar, js=_CONFIRM_DELETE_JS).then(_friendly(switched), inputs=notebook, outputs=fresh)
        run_eval.click(_friendly(run_suite), inputs=[notebook, suite, limit],
                       outputs=[run_folder, metrics, plots, cases, run_a, run_b])
        compare.click(_friendly(lambda nb, a, b: desk(nb).evals.compare(a, b)), inputs=[notebook, run_a, run_b],
                      outputs=[deltas, changed])
        # The box empties as soon as a question is sent (not when its answer ends), so the next
        # question can be typed while the answer streams and is never wiped by a late clear.
        asked = gr.State("")
        for trigger in (ask.click, question.submit):
            trigger(lambda q: ("", q), inputs=question, outputs=[question, asked], queue=False).then(
                respond, inputs=[notebook, asked, turns, sources, verify],
                outputs=[chatbot, turns, cited, export, status, last_answer])
        new.click(lambda: ([], [], "", gr.update(visible=False), "", ""),
                  outputs=[chatbot, turns, cited, export, status, last_answer])
        write.click(_friendly(write_briefing), inputs=[notebook, topic, brief_sources, brief_verify],
                    outputs=[brief_status, brief_md, brief_html, briefing_view, brief_run])
        keep_answer.click(_friendly(lambda nb, answer: desk(nb).notes.keep_answer(answer)),
                          inputs=[notebook, last_answer], outputs=keep_status).then(
            _friendly(notes.refresh), inputs=notebook, outputs=[notes.table, notes.pick])
        keep_section.click(_friendly(lambda nb, run, key: desk(nb).notes.keep_section(run, key)),
                           inputs=[notebook, brief_run, section], outputs=section_status).then(
            _friendly(notes.refresh), inputs=notebook, outputs=[notes.table, notes.pick])
        pick.change(_friendly(lambda nb, ref: desk(nb).docs.view(ref)), inputs=[notebook, pick], outputs=viewer)
        pick.change(_friendly(cached_guide), inputs=[notebook, pick], outputs=[guide_view, suggested])
        write_guide.click(_friendly(show_guide), inputs=[notebook, pick], outputs=[guide_view, suggested])
        suggested.click(lambda sample: sample[0] if sample else "", inputs=suggested, outputs=question)
        upload.click(_friendly(ingest), inputs=[notebook, files], outputs=upload_log).then(
            refresh, inputs=notebook, outputs=sync)
        for trigger in (fetch.click, url.submit):
            trigger(_friendly(lambda nb, address: desk(nb).docs.fetch(address)), inputs=[notebook, url],
                    outputs=upload_log).then(refresh, inputs=notebook, outputs=sync)
        delete.click(_friendly(lambda nb, ref: desk(nb).docs.delete(ref)), inputs=[notebook, pick],
                     outputs=upload_log).then(refresh, inputs=notebook, outputs=sync)
    app.queue(default_concurrency_limit=service.settings.ui_concurrency)
    return app


def _outputs(step: ChatUpdate) -> tuple[Any, ...]:
    export = gr.update(value=step.export_path, visible=step.export_path is not None)
    return step.messages, step.turns, step.answer_html, export, step.status, step.answer_json
