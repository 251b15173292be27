"""The `sourcebrief eval` commands: run a suite, score the faithfulness judge, compare two runs.

Mounted on the `sourcebrief` entry point through the `sourcebrief.cli` entry-point group (pyproject.toml),
so `rag` never imports `evals`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from evals.calibrate import fit_calibration, held_out, rescore, transfer, write_calibration
from evals.judge import JudgeReport, evaluate_judge, load_pairs, sample_pairs
from evals.report import compare_runs, failures, parse_thresholds, write_judge_run, write_run
from evals.runner import run_suite
from evals.suite import is_judge_suite, load_suite
from rag.cli_kit import (
    JsonOpt,
    NotebookOpt,
    VerifyOpt,
    err,
    make_service,
    out,
    print_json,
    progress_bar,
    verify_mode,
)
from rag.errors import InputError
from rag.service import Service
from rag.verify.verifier import Calibration, Verifier, judge_name, load_calibration

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Measure retrieval, citations and the faithfulness judge.", no_args_is_help=True)


@eval_app.command("judge")
def eval_judge(
    files: Annotated[list[Path], typer.Argument(help="JSONL files of {premise, claim, label[, dataset]} pairs.")],
    limit: Annotated[int | None, typer.Option("--limit", help="Balanced sample of N pairs per dataset.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Sampling seed.")] = 13,
    calibrate: Annotated[Path | None, typer.Option(
        "--calibrate", help="Fit the signals' weights for transfer (the worst dataset's balanced accuracy when it is "
        "left out of the fit) and the threshold, write them to this file's `documents` section (claims against "
        "whole documents), and report with them.")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Also write the report (with rows) as JSON.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score the faithfulness judge against human labels: balanced accuracy, unsupported P/R, ROC-AUC."""
    service = make_service()
    report = _judge(service, files, limit, seed)
    if calibrate is not None:
        backends = [s.name for s in _verifier(service).scorers]
        calibration = fit_calibration(report.rows, judge=judge_name(backends, Calibration()), files=report.files)
        report = rescore(report, calibration, judge_name(backends, calibration))
        estimate = held_out(report.rows, report.files)
        moved = transfer(report.rows, calibration)
        write_calibration(calibrate, calibration, report, estimate, moved)
        err.print(f"calibrated threshold {calibration.threshold}, weights coverage {calibration.coverage_weight}, "
                  f"similarity {calibration.similarity_weight}: written to {calibrate}", highlight=False)
        err.print("held-out balanced accuracy (two folds by premise, 10 splits): "
                  + ", ".join(f"{name} {value:.3f}" for name, value in estimate.items()), highlight=False)
        err.print("leave-one-dataset-out balanced accuracy (threshold fitted on the other datasets): "
                  + ", ".join(f"{name} {value:.3f}" for name, value in moved.items())
                  + f"; worst {min(moved.values()):.3f}", highlight=False)
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    if as_json:
        print_json(report.model_dump(mode="json", exclude={"rows"}))
        return
    _print_judge_report(report)


def _verifier(service: Service) -> Verifier:
    """The service's verifier with the calibration for claims against whole documents (labelled pairs are an
    article or a web page and a claim, not an answer sentence and the lines it cites)."""
    verifier = service.verifier
    if not isinstance(verifier, Verifier):
        raise InputError("scoring the judge needs the built-in verifier (rag.verify.verifier.Verifier)")
    return verifier.with_calibration(load_calibration(service.settings.verify_calibration, "documents"))


def _judge(service: Service, files: list[Path], limit: int | None, seed: int) -> JudgeReport:
    pairs = sample_pairs(load_pairs(files), limit, seed)
    verifier = _verifier(service)
    with progress_bar() as bar:
        task = bar.add_task("judging", total=len(pairs))
        return evaluate_judge(
            pairs, lambda claim, premise: verifier.verify(claim, [premise]), judge=verifier.name,
            threshold=verifier.calibration.threshold, threshold_provenance=verifier.calibration.provenance,
            files=[str(f) for f in files], on_progress=lambda done, total: bar.update(task, completed=done))


def _print_judge_report(report: JudgeReport) -> None:
    table = Table("set", "pairs", "bal. acc", "unsup. P", "unsup. R", "ROC-AUC", "best t", "bal. acc @best")
    for name, m in [("all", report.overall), *report.by_file.items(), *report.by_dataset.items()]:
        table.add_row(name, str(m.n), f"{m.balanced_accuracy:.3f}", f"{m.unsupported_precision:.3f}",
                      f"{m.unsupported_recall:.3f}", f"{m.roc_auc:.3f}", f"{m.best_threshold:.3f}",
                      f"{m.best_balanced_accuracy:.3f}")
    out.print(table)
    out.print(f"judge {report.judge}; threshold {report.threshold} ({report.threshold_provenance}); "
              f"{report.pairs_per_s:.3f} pairs/s", highlight=False)


@eval_app.command("run")
def eval_run(
    suite: Annotated[Path, typer.Argument(help="Suite file (YAML or JSONL) in evals/suites/, or a JSONL of "
                                          "labelled {premise, claim, label} pairs to score the judge.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Run folder; default data/evals/runs/<suite>-<time>.")]
    = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N cases.")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Cases at once (remote providers).")] = 1,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Recompute cached cases.")] = False,
    verify: VerifyOpt = None,
    fail_under: Annotated[list[str] | None, typer.Option(
        "--fail-under", help="metric=value; exit 1 when the metric's mean is lower (repeatable).")] = None,
    as_json: JsonOpt = False,
    notebook: NotebookOpt = None,
) -> None:
    """Run a suite: retrieval, citation, faithfulness, correctness, refusal and cost metrics."""
    thresholds = parse_thresholds(fail_under or [])
    service = make_service(notebook)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = out_dir or service.work_dir / "evals" / "runs" / f"{suite.stem}-{stamp}"
    if suite.exists() and is_judge_suite(suite):
        report = _judge(service, [suite], limit, 13)
        write_judge_run(out_dir, report)
        _print_judge_report(report)
        return
    loaded = load_suite(suite)
    with progress_bar() as bar:
        task = bar.add_task(f"suite {loaded.name}", total=min(limit or len(loaded.cases), len(loaded.cases)))
        rows, summary = run_suite(service, loaded, limit=limit, concurrency=concurrency, use_cache=not no_cache,
                                  on_progress=lambda done, total: bar.update(task, completed=done),
                                  verify=verify_mode(verify))
    write_run(out_dir, rows, summary)
    if as_json:
        print_json(summary)
    else:
        table = Table("metric", "mean", "n")
        for name, value in summary.metrics.items():
            table.add_row(name, "–" if value.mean is None else f"{value.mean:.3f}", str(value.n))
        out.print(table)
        kinds = Table("kind", "cases", "refusal accuracy", "key facts", "flagged shown")
        for kind, values in summary.by_kind.items():
            cell = {name: "–" if v.mean is None else f"{v.mean:.3f}" for name, v in values.items()}
            kinds.add_row(kind, str(values["refusal_accuracy"].n), cell["refusal_accuracy"], cell["key_facts"],
                          cell["flagged_shown"])
        out.print(kinds)
        if summary.label_agreement:
            out.print("agreement with hand labels (evals/labels/): " + ", ".join(
                f"{name} {v.mean:.3f} of {v.n} pairs" for name, v in summary.label_agreement.items()
                if v.mean is not None), highlight=False)
        out.print(f"{summary.cases} cases ({sum(r.cached for r in rows)} from cache), {summary.errors} errors, "
                  f"{summary.seconds:.0f} s; report: {out_dir / 'report.html'}", highlight=False)
    failed = failures(summary, thresholds)
    if failed:
        err.print("below threshold: " + "; ".join(failed), highlight=False)
        raise typer.Exit(1)


@eval_app.command("compare")
def eval_compare(a: Annotated[Path, typer.Argument(help="Earlier run folder.")],
                 b: Annotated[Path, typer.Argument(help="Later run folder.")], as_json: JsonOpt = False) -> None:
    """Metric deltas (B - A) between two runs, and the cases whose outcome changed."""
    result = compare_runs(a, b)
    if as_json:
        print_json(result)
        return
    table = Table("metric", "A", "B", "delta")
    for name, (va, vb, delta) in result.deltas.items():
        table.add_row(name, *("–" if v is None else f"{v:.3f}" for v in (va, vb)),
                      "–" if delta is None else f"{delta:+.3f}")
    out.print(table)
    for case in result.changed:
        detail = ", ".join(f"{k} {v[0]}→{v[1]}" for k, v in case.items() if isinstance(v, list))
        out.print(f"changed {case['id']}: {detail or 'refusal changed'}", highlight=False)
    if not result.changed:
        out.print("no case changed outcome")


