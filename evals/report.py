"""Write and read a run's folder: rows.jsonl, summary.json and a self-contained report.html."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path

from pydantic import BaseModel

from evals.judge import JudgeMetrics, JudgeReport
from evals.runner import COST, METRICS, CaseResult, EvalSummary
from rag.errors import InputError

__all__ = ["Comparison", "compare_runs", "failures", "metric_cards", "parse_thresholds", "read_judge_run", "read_run",
           "report_html", "write_judge_run", "write_run"]


def write_run(out: Path, rows: Sequence[CaseResult], summary: EvalSummary) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "rows.jsonl", "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(row.model_dump_json() + "\n")
    (out / "summary.json").write_text(summary.model_dump_json(indent=2), encoding="utf-8")
    (out / "report.html").write_text(report_html(rows, summary), encoding="utf-8")


def read_run(folder: Path) -> tuple[list[CaseResult], EvalSummary]:
    try:
        summary = EvalSummary.model_validate_json((folder / "summary.json").read_text(encoding="utf-8"))
        rows = [CaseResult.model_validate_json(line)
                for line in (folder / "rows.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise InputError(f"{folder} is not an eval run folder (rows.jsonl + summary.json): "
                         f"{str(exc).splitlines()[0]}") from exc
    return rows, summary


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def _histogram(values: Sequence[float], width: int = 220, height: int = 70, bins: int = 10) -> str:
    """An inline SVG histogram (no plotting library needed for a report that must open offline)."""
    if not values:
        return "<svg width='220' height='70'></svg>"
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / span * bins))] += 1
    top = max(counts)
    bar = width / bins
    rects = "".join(f"<rect x='{i * bar + 1:.1f}' y='{height - 14 - c / top * (height - 18):.1f}' "
                    f"width='{bar - 2:.1f}' height='{c / top * (height - 18):.1f}' fill='#2563eb'/>"
                    for i, c in enumerate(counts) if c)
    labels = (f"<text x='0' y='{height - 2}' font-size='10'>{_fmt(lo)}</text>"
              f"<text x='{width}' y='{height - 2}' font-size='10' text-anchor='end'>{_fmt(hi)}</text>")
    return f"<svg width='{width}' height='{height}' role='img'>{rects}{labels}</svg>"


def _case_row(row: CaseResult) -> str:
    answer = row.error or "(no answer)"
    cites = ""
    if row.answer is not None:
        parts = []
        for s in row.answer.sentences:
            verdict = f" <i>[{escape(s.verdict.label)} {s.verdict.score:.2f}]</i>" if s.verdict else ""
            marks = "".join(f"<sup title='{escape(c.file_name)}: {escape(c.quote)}'>[{c.n}]</sup>"
                            for c in s.citations)
            parts.append(f"{escape(s.text)}{marks}{verdict}")
        answer = " ".join(parts)
        cites = "<br>".join(f"[{c.n}] {escape(c.file_name)}: “{escape(c.quote[:160])}”"
                            for s in row.answer.sentences for c in s.citations)
    facts = "<br>".join(f"{'✔' if f.in_answer else '✘'} {escape(f.fact)}" for f in row.facts)
    metrics = "<br>".join(f"{k}: {_fmt(v)}" for k, v in row.metrics.items() if v is not None)
    return (f"<tr><td><b>{escape(row.id)}</b><br><small>{escape(', '.join(row.tags))}</small></td>"
            f"<td>{escape(row.question)}</td><td>{answer}<div class='c'>{cites}</div></td>"
            f"<td>{facts}</td><td class='m'>{metrics}</td></tr>")


def metric_cards(rows: Sequence[CaseResult], summary: EvalSummary) -> str:
    """Each metric's mean, count and distribution, as an HTML fragment with inline styles only."""
    cards = []
    for name in METRICS:
        value = summary.metrics[name]
        values = [r.metrics[name] for r in rows if r.metrics.get(name) is not None]
        cards.append(f"<div style='border:1px solid #ddd;border-radius:6px;padding:8px'>"
                     f"<div>{name}{' (cost)' if name in COST else ''}</div>"
                     f"<b>{_fmt(value.mean)}</b> <small>n={value.n}</small>"
                     f"{_histogram([float(v) for v in values if v is not None])}</div>")
    return f"<div style='display:flex;flex-wrap:wrap;gap:12px'>{''.join(cards)}</div>"


def report_html(rows: Sequence[CaseResult], summary: EvalSummary) -> str:
    prov = ", ".join(f"{escape(k)}={escape(v)}" for k, v in sorted(summary.provenance.items()))
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>eval {escape(summary.suite)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:24px;}}
table{{border-collapse:collapse;margin-top:16px}}
td{{border-top:1px solid #ddd;padding:6px;vertical-align:top;font-size:13px}} .c{{color:#555;font-size:12px}}
.m{{white-space:nowrap;font-size:12px}}</style></head><body>
<h1>Suite {escape(summary.suite)}: {summary.cases} cases, {summary.errors} errors, {summary.seconds:.0f} s</h1>
<p><small>{prov}; {escape(summary.created)}</small></p>{metric_cards(rows, summary)}
<table><tr><th>case</th><th>question</th><th>answer and citations</th><th>key facts</th><th>metrics</th></tr>
{"".join(_case_row(r) for r in rows)}</table></body></html>"""


class Comparison(BaseModel):
    """`eval compare A B`: metric deltas (B - A) and the cases whose outcome changed."""

    a: str
    b: str
    deltas: dict[str, tuple[float | None, float | None, float | None]]
    changed: list[dict[str, object]]


_OUTCOMES = ("refusal_accuracy", "key_facts", "faithfulness", "citation_recall", "hit_at_k")


def write_judge_run(out: Path, report: JudgeReport) -> None:
    """A judge run's folder (`eval run` on labelled pairs): summary.json (the report, no rows), rows.jsonl."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(report.model_dump_json(indent=2, exclude={"rows"}), encoding="utf-8")
    (out / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in report.rows), encoding="utf-8")


def _is_judge_run(folder: Path) -> bool:
    try:
        return "overall" in json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def read_judge_run(folder: Path) -> JudgeReport:
    try:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        rows = [json.loads(line) for line in (folder / "rows.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
        return JudgeReport.model_validate({**data, "rows": rows})
    except (OSError, ValueError) as exc:
        raise InputError(f"{folder} is not a judge run folder (rows.jsonl + summary.json): "
                         f"{str(exc).splitlines()[0]}") from exc


_JUDGE_METRICS = ("balanced_accuracy", "unsupported_precision", "unsupported_recall", "roc_auc")


def _compare_judge_runs(a: Path, b: Path) -> Comparison:
    """Two judge runs: each metric overall and per dataset, and the pairs whose verdict changed."""
    ra, rb = read_judge_run(a), read_judge_run(b)
    deltas: dict[str, tuple[float | None, float | None, float | None]] = {}
    sets: list[tuple[str, JudgeMetrics | None, JudgeMetrics | None]] = [("", ra.overall, rb.overall)]
    sets += [(f"{d}: ", ra.by_dataset.get(d), rb.by_dataset.get(d)) for d in sorted({*ra.by_dataset, *rb.by_dataset})]
    for prefix, ma, mb in sets:
        for name in _JUDGE_METRICS:
            va = getattr(ma, name) if ma is not None else None
            vb = getattr(mb, name) if mb is not None else None
            deltas[prefix + name] = (va, vb, None if va is None or vb is None else round(vb - va, 4))
    before = {str(r["id"]): r for r in ra.rows}
    changed: list[dict[str, object]] = [
        {"id": str(r["id"]), "question": f"{r['dataset']} pair, label {r['label']}",
         "verdict": [before[str(r["id"])]["verdict"], r["verdict"]]}
        for r in rb.rows if str(r["id"]) in before and before[str(r["id"])]["verdict"] != r["verdict"]]
    return Comparison(a=str(a), b=str(b), deltas=deltas, changed=changed)


def compare_runs(a: Path, b: Path) -> Comparison:
    """Metric deltas (B - A) and the changed cases of two suite runs, or of two judge runs."""
    if _is_judge_run(a) and _is_judge_run(b):
        return _compare_judge_runs(a, b)
    rows_a, sum_a = read_run(a)
    rows_b, sum_b = read_run(b)
    deltas = {}
    for name in METRICS:  # a metric added since the earlier run compares as missing there
        va = sum_a.metrics[name].mean if name in sum_a.metrics else None
        vb = sum_b.metrics[name].mean if name in sum_b.metrics else None
        deltas[name] = (va, vb, None if va is None or vb is None else round(vb - va, 4))
    by_id = {r.id: r for r in rows_a}
    changed: list[dict[str, object]] = []
    for rb in rows_b:
        ra = by_id.get(rb.id)
        if ra is None:
            continue
        diffs = {m: (ra.metrics.get(m), rb.metrics.get(m)) for m in _OUTCOMES
                 if ra.metrics.get(m) != rb.metrics.get(m)}
        if diffs or ra.refused != rb.refused:
            changed.append({"id": rb.id, "question": rb.question, **{m: list(v) for m, v in diffs.items()}})
    return Comparison(a=str(a), b=str(b), deltas=deltas, changed=changed)


def parse_thresholds(items: Sequence[str]) -> dict[str, float]:
    """`metric=value` pairs for --fail-under, checked against the known metrics."""
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in METRICS or not value:
            raise InputError(f"--fail-under wants metric=value with a metric in {', '.join(METRICS)}; got {item!r}")
        try:
            out[name] = float(value)
        except ValueError as exc:
            raise InputError(f"--fail-under {item!r}: {value!r} is not a number") from exc
    return out


def failures(summary: EvalSummary, thresholds: dict[str, float]) -> list[str]:
    """Metrics below their threshold (a metric with no value fails too: nothing was measured)."""
    out = []
    for name, floor in thresholds.items():
        value = summary.metrics[name].mean
        if value is None or value < floor:
            out.append(f"{name} {_fmt(value)} < {floor}")
    return out
