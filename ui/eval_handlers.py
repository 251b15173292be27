"""The Evals tab's handlers: run a suite, show its metrics and cases, compare two runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from evals.report import compare_runs, metric_cards, read_run, write_run
from evals.runner import METRICS, CaseResult, EvalSummary, run_suite
from evals.suite import load_suite
from rag.config import REPO_ROOT
from rag.errors import SourcebriefError
from rag.service import Service
from ui.handlers import UserFacingError

__all__ = ["EvalHandlers", "EvalView"]

SUITES_DIR = REPO_ROOT / "evals" / "suites"
_CASE_COLUMNS = ("refusal_accuracy", "key_facts", "faithfulness", "citation_recall", "hit_at_k", "latency_s")


@dataclass
class EvalView:
    summary_rows: list[list[object]]
    case_rows: list[list[object]]
    report: str
    folder: str


@dataclass
class EvalHandlers:
    service: Service
    suites_dir: Path = SUITES_DIR

    @property
    def runs_dir(self) -> Path:
        return self.service.work_dir / "evals" / "runs"

    def suites(self) -> list[str]:
        return sorted(p.name for p in self.suites_dir.glob("*") if p.suffix in {".yaml", ".yml", ".jsonl"})

    def runs(self) -> list[str]:
        if not self.runs_dir.exists():
            return []
        return sorted((p.name for p in self.runs_dir.iterdir() if (p / "summary.json").exists()), reverse=True)

    def run(self, suite_name: str | None, limit: int | None,
            on_progress: Callable[[int, int], None] | None = None) -> EvalView:
        if not suite_name or suite_name not in self.suites():
            raise UserFacingError("pick a suite")
        try:
            suite = load_suite(self.suites_dir / suite_name)
            rows, summary = run_suite(self.service, suite, limit=int(limit) if limit else None,
                                      on_progress=on_progress)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        folder = self.runs_dir / f"{Path(suite_name).stem}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
        write_run(folder, rows, summary)
        return _view(rows, summary, folder)

    def open(self, run_name: str | None) -> EvalView:
        if not run_name:
            raise UserFacingError("pick a run")
        try:
            rows, summary = read_run(self.runs_dir / run_name)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        return _view(rows, summary, self.runs_dir / run_name)

    def compare(self, a: str | None, b: str | None) -> tuple[list[list[object]], str]:
        if not a or not b:
            raise UserFacingError("pick two runs to compare")
        try:
            result = compare_runs(self.runs_dir / a, self.runs_dir / b)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        rows: list[list[object]] = [[name, _fmt(va), _fmt(vb), "–" if d is None else f"{d:+.3f}"]
                for name, (va, vb, d) in result.deltas.items()]
        changed = "\n".join(f"{c['id']}: " + ", ".join(f"{k} {v[0]}→{v[1]}" for k, v in c.items()
                                                       if isinstance(v, list)) for c in result.changed)
        return rows, changed or "no case changed outcome"


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _view(rows: list[CaseResult], summary: EvalSummary, folder: Path) -> EvalView:
    summary_rows: list[list[object]] = [[name, _fmt(summary.metrics[name].mean), summary.metrics[name].n]
                                        for name in METRICS]
    case_rows: list[list[object]] = [
        [r.id, r.question, "yes" if r.refused else "no", *(_fmt(r.metrics.get(m)) for m in _CASE_COLUMNS),
         r.error or ""] for r in rows]
    return EvalView(summary_rows=summary_rows, case_rows=case_rows, report=metric_cards(rows, summary),
                    folder=str(folder))


CASE_HEADERS = ["case", "question", "refused", *_CASE_COLUMNS, "error"]
