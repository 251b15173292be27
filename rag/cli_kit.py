"""What every `sourcebrief` command group shares: consoles, options, the service, JSON and progress output.

`rag.cli` builds the commands of the library; other packages (the eval commands in `evals.cli`) mount
their own groups on the same entry point through the `sourcebrief.cli` entry-point group, with these.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rag.config import load_settings
from rag.notebooks import DEFAULT
from rag.service import Service
from rag.types import VerifyMode

__all__ = ["JsonOpt", "NotebookOpt", "VerifyChoice", "VerifyOpt", "err", "make_service", "out", "print_json",
           "progress_bar", "verify_mode"]

# Wide enough for ids and file names when piped (rich assumes 80 columns without a terminal).
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class VerifyChoice(StrEnum):
    """How answers and briefings are checked (Typer rejects anything else)."""

    off = "off"
    annotate = "annotate"
    guarded = "guarded"
    strict = "strict"


VerifyOpt = Annotated[VerifyChoice | None, typer.Option(
    "--verify", case_sensitive=False,
    help="off | annotate (verdict on every sentence, all shown) | guarded (refuse what the sources do not say, "
         "correct false premises, remove unsupported sentences) | strict (refuse an answer that loses any "
         "sentence). Default: the verify_mode setting (guarded).")]


def verify_mode(verify: VerifyChoice | None) -> VerifyMode | None:
    return None if verify is None else verify.value  # type: ignore[return-value]


NotebookOpt = Annotated[str | None, typer.Option(
    "--notebook", help="The notebook (name or id) to work on. Default: SOURCEBRIEF_NOTEBOOK, else 'default'.")]


def make_service(notebook: str | None = None) -> Service:
    """The service on the effective settings (environment, `.env`, defaults), on `notebook` when given; an
    unknown notebook is a one-line error here, before any work."""
    settings = load_settings()
    if notebook is not None:
        settings = settings.model_copy(update={"notebook": notebook})
    service = Service(settings)
    if settings.notebook != DEFAULT:
        service.notebook  # noqa: B018 (resolved now: a wrong name fails before any work)
    return service


def print_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    elif isinstance(data, list):
        data = [d.model_dump(mode="json") if isinstance(d, BaseModel) else d for d in data]
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def progress_bar() -> Progress:
    """A progress bar on stderr, shown only on a terminal."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)
