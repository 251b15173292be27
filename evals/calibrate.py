"""Fit the verifier's calibration on judged, human-labelled pairs: the signals' weights and the threshold.

The fit re-combines each row's recorded signals (judge probability, word coverage, closest-sentence
similarity) with `rag.verify.verifier.combine`, so no model is called again. The criterion is the mean
of the files' balanced accuracies: each development set counts the same, whatever its size.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from evals.judge import JudgeReport, judge_report
from evals.metrics import balanced_accuracy
from rag.verify.verifier import Calibration, combine

__all__ = ["COVERAGE_WEIGHTS", "SIMILARITY_WEIGHTS", "fit_calibration", "held_out", "rescore", "write_calibration"]

COVERAGE_WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))
SIMILARITY_WEIGHTS = tuple(round(0.1 * i, 1) for i in range(6))
_MOST_CUTS = 2000  # candidate thresholds per weighting (score quantiles past that)


def _signal(rows: Sequence[dict[str, object]], name: str) -> np.ndarray:
    return np.array([float(r["signals"].get(name, np.nan)) for r in rows])  # type: ignore[attr-defined]


def _best_cut(raw: np.ndarray, eligible: np.ndarray, labels: np.ndarray, groups: list[np.ndarray]
              ) -> tuple[float, float]:
    """The threshold maximising the groups' mean balanced accuracy, and that mean.

    A row the checks flagged (`eligible` false) is unsupported at any threshold.
    """
    cuts = np.unique(raw[eligible])
    if len(cuts) > _MOST_CUTS:
        cuts = np.unique(np.quantile(cuts, np.linspace(0, 1, _MOST_CUTS)))
    cuts = np.append(cuts, 1.01)
    supported = eligible[:, None] & (raw[:, None] >= cuts[None, :])
    accuracies = []
    for group in groups:
        pos, neg = group & (labels == 1), group & (labels == 0)
        if not pos.any() or not neg.any():
            continue
        accuracies.append(0.5 * (supported[pos].mean(axis=0) + 1 - supported[neg].mean(axis=0)))
    if not accuracies:  # no group has both labels: nothing to fit
        return 0.5, 0.0
    mean = np.mean(accuracies, axis=0)
    best = int(np.argmax(mean))
    below = raw[eligible & (raw < cuts[best])]
    # Halfway to the next lower score, so rounding the stored threshold moves no verdict.
    threshold = (cuts[best] + below.max()) / 2 if len(below) and best < len(cuts) - 1 else cuts[best]
    return round(float(threshold), 4), float(mean[best])


def fit_calibration(rows: Sequence[dict[str, object]], *, judge: str, files: Sequence[str]) -> Calibration:
    """Grid over the signals' weights, best threshold for each; the first best (smallest weights) wins."""
    labels = np.array([int(r["label"]) for r in rows])  # type: ignore[call-overload]
    model, coverage, similarity = (_signal(rows, n) for n in ("model", "coverage", "similarity"))
    eligible = np.array([not r["issues"] and r["verdict"] != "contradicted" for r in rows])
    names = sorted({str(r["file"]) or "all" for r in rows})
    groups = [np.array([(str(r["file"]) or "all") == name for r in rows]) for name in names]
    best: tuple[float, float, float, float] | None = None
    for wc in COVERAGE_WEIGHTS if not np.isnan(coverage).any() else (0.0,):
        for ws in SIMILARITY_WEIGHTS if not np.isnan(similarity).any() else (0.0,):
            raw = (model + wc * np.nan_to_num(coverage) + ws * np.nan_to_num(similarity)) / (1 + wc + ws)
            threshold, objective = _best_cut(raw, eligible, labels, groups)
            if best is None or objective > best[0] + 1e-9:
                best = (objective, threshold, wc, ws)
    assert best is not None
    objective, threshold, wc, ws = best
    provenance = (f"max mean balanced accuracy {objective:.4f} over {', '.join(Path(f).name for f in files)} "
                  f"({len(rows)} pairs; {judge}; weights coverage {wc}, similarity {ws}; "
                  f"{datetime.now(UTC).date().isoformat()})")
    return Calibration(threshold=threshold, provenance=provenance, coverage_weight=wc, similarity_weight=ws)


def _rejudged(rows: Sequence[dict[str, object]], calibration: Calibration) -> list[dict[str, object]]:
    out = []
    for row in rows:
        signals: dict[str, float] = row["signals"]  # type: ignore[assignment]
        issues: list[str] = row["issues"]  # type: ignore[assignment]
        label, score = combine([signals["model"]], issues, row["verdict"] == "contradicted", calibration.threshold,
                               signals, calibration.weights())
        out.append({**row, "score": round(score, 4), "verdict": label})
    return out


def rescore(report: JudgeReport, calibration: Calibration, judge: str) -> JudgeReport:
    """The report as the verifier would give it under `calibration`, from the rows' recorded signals."""
    return judge_report(_rejudged(report.rows, calibration), judge=judge, threshold=calibration.threshold,
                        threshold_provenance=calibration.provenance, files=report.files, seconds=report.seconds)


def held_out(rows: Sequence[dict[str, object]], files: Sequence[str], splits: int = 10) -> dict[str, float]:
    """Each file's balanced accuracy on pairs the fit did not see: two folds by premise, `splits` times.

    Pairs sharing a premise (one article, several summaries) stay in one fold, so the estimate is not
    flattered by an article the fit has read.
    """
    found: dict[str, list[float]] = {}
    for split in range(splits):
        fold = [int(hashlib.sha256(f"{split}:{r['premise_key']}".encode()).hexdigest(), 16) % 2 for r in rows]
        for side in (0, 1):
            train = [r for r, f in zip(rows, fold, strict=True) if f != side]
            test = [r for r, f in zip(rows, fold, strict=True) if f == side]
            judged = _rejudged(test, fit_calibration(train, judge="", files=files))
            for name in sorted({str(r["file"]) for r in judged}):
                mine = [r for r in judged if r["file"] == name]
                found.setdefault(name, []).append(balanced_accuracy(
                    [int(r["label"]) for r in mine],  # type: ignore[call-overload]
                    [int(r["verdict"] == "supported") for r in mine]))
    return {name: round(float(np.mean(values)), 4) for name, values in found.items()}


def write_calibration(path: Path, calibration: Calibration, report: JudgeReport,
                      held_out_accuracy: dict[str, float] | None = None) -> None:
    """Store the calibration with its provenance and the figures it gives on each file and dataset
    (in-sample), with the held-out estimate when there is one."""
    data = {"threshold": calibration.threshold,
            "weights": {"coverage": calibration.coverage_weight, "similarity": calibration.similarity_weight},
            "provenance": calibration.provenance,
            "held_out_balanced_accuracy": held_out_accuracy or {},
            "by_file": {k: v.model_dump() for k, v in report.by_file.items()},
            "by_dataset": {k: v.model_dump() for k, v in report.by_dataset.items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
