"""`sourcebrief notebook list|create|rename|delete`: named collections side by side (`rag.notebooks`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from rag.cli_kit import JsonOpt, make_service, out, print_json

__all__ = ["notebook_app"]

notebook_app = typer.Typer(help="Notebooks: collections side by side, each with its own documents, guides, "
                                "briefings, notes and eval runs. Every command takes --notebook NAME.",
                           no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="The notebook's name or id.")]


@notebook_app.command("list")
def notebook_list(as_json: JsonOpt = False) -> None:
    """The notebooks, with how many documents each holds."""
    service = make_service()
    rows = [(nb, len(service.for_notebook(nb).sources())) for nb in service.notebooks.all()]
    if as_json:
        print_json([{**nb.model_dump(), "documents": count} for nb, count in rows])
        return
    table = Table("id", "name", "documents", "created")
    for nb, count in rows:
        table.add_row(nb.id, nb.name, str(count), nb.created_at.strip("-"))
    out.print(table)


@notebook_app.command("create")
def notebook_create(name: Annotated[str, typer.Argument(help="A name (unique, any case).")],
                    as_json: JsonOpt = False) -> None:
    """Make an empty notebook; `sourcebrief ingest --notebook NAME ...` fills it."""
    notebook = make_service().notebooks.create(name)
    if as_json:
        print_json(notebook)
        return
    out.print(f"created notebook {notebook.name!r} (id {notebook.id})", highlight=False)


@notebook_app.command("rename")
def notebook_rename(ref: NameArg, name: Annotated[str, typer.Argument(help="The new name.")]) -> None:
    """Rename a notebook (its id, and so its data, stay as they are)."""
    notebook = make_service().rename_notebook(ref, name)
    out.print(f"notebook {notebook.id} is now {notebook.name!r}", highlight=False)


@notebook_app.command("delete")
def notebook_delete(ref: NameArg,
                    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False) -> None:
    """Delete a notebook with all its documents, guides, briefings, notes and eval runs."""
    service = make_service()
    notebook = service.notebooks.resolve(ref)
    count = len(service.for_notebook(notebook).sources())
    if not yes and not typer.confirm(f"Delete notebook {notebook.name!r} and its {count} documents?"):
        raise typer.Exit(1)
    service.delete_notebook(notebook.id)
    out.print(f"deleted notebook {notebook.name!r} ({count} documents)", highlight=False)
