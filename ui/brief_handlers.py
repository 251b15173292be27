"""The Briefing tab's handlers: write a briefing with progress per stage, save its renderings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.brief import Briefing
from rag.brief.pipeline import check_run_id
from rag.brief.render import render_briefing
from rag.errors import InputError, NotFoundError, SourcebriefError
from rag.service import Service
from rag.types import VerifyMode
from ui.handlers import UserFacingError

__all__ = ["BriefHandlers", "BriefView", "briefing_file"]

FORMATS = ("md", "html", "json")


@dataclass
class BriefView:
    briefing: Briefing
    run_id: str
    paths: dict[str, Path]
    summary: str


def briefing_file(service: Service, run_id: str, fmt: str) -> Path:
    """Where a run's rendering lives; the run id is checked so no path leaves the briefs folder."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (md, html or json)")
    path = service.work_dir / "briefs" / check_run_id(run_id) / f"briefing.{fmt}"
    if not path.exists():
        raise NotFoundError(f"no briefing for run {run_id!r}")
    return path


@dataclass
class BriefHandlers:
    service: Service

    def write(self, topic: str | None, sources: Sequence[str] | None, verify: VerifyMode | None,
              on_progress: Callable[[str, int, int], None] | None = None) -> BriefView:
        try:
            briefing = self.service.brief(topic or None, list(sources or []) or None, verify=verify,
                                          on_progress=on_progress)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        run_id = briefing.provenance.run_id
        folder = self.service.work_dir / "briefs" / run_id
        folder.mkdir(parents=True, exist_ok=True)
        paths = {}
        for fmt in FORMATS:
            paths[fmt] = folder / f"briefing.{fmt}"
            paths[fmt].write_text(render_briefing(briefing, fmt), encoding="utf-8")  # type: ignore[arg-type]
        verdicts = [s.verdict.label for s in briefing.sentences if s.verdict is not None]
        supported = sum(v == "supported" for v in verdicts)
        summary = (f"{len(briefing.sentences)} sentences from {len(briefing.documents)} documents; "
                   f"{supported}/{len(verdicts)} verified as supported; "
                   f"{briefing.timings.get('total', 0):.0f} s; run `{run_id}`")
        return BriefView(briefing=briefing, run_id=run_id, paths=paths, summary=summary)
