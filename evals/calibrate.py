"""Fit the verifier's calibration on judged, human-labelled pairs: the signals' weights and the threshold.

The fit re-combines each row's recorded signals (judge probability, word coverage, closest-sentence
similarity) with `rag.verify.verifier.combine`, so no model is called again. The criterion is transfer:
the worst dataset's balanced accuracy when that dataset is left out of the fit (FRANK-CNN/DM, FRANK-XSum and
WiCE are three groups), so a weighting that holds only on the sets it was fitted on is not chosen.
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

__all__ = ["COVERAGE_WEIGHTS", "SIMILARITY_WEIGHTS", "fit_calibration", "held_out", "rescore", "transfer",
           "write_calibration"]

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


def _grid(coverage: np.ndarray, similarity: np.ndarray) -> list[tuple[float, float]]:
    """The weightings tried, simplest (smallest total weight) first; a signal with a missing value is left out."""
    pairs = [(wc, ws) for wc in (COVERAGE_WEIGHTS if not np.isnan(coverage).any() else (0.0,))
             for ws in (SIMILARITY_WEIGHTS if not np.isnan(similarity).any() else (0.0,))]
    return sorted(pairs, key=lambda p: (round(p[0] + p[1], 1), p[0]))


def _columns(rows: Sequence[dict[str, object]], key: str) -> tuple[np.ndarray, ...]:
    labels = np.array([int(r["label"]) for r in rows])  # type: ignore[call-overload]
    model, coverage, similarity = (_signal(rows, n) for n in ("model", "coverage", "similarity"))
    eligible = np.array([not r["issues"] and r["verdict"] != "contradicted" for r in rows])
    names = np.array([str(r[key]) or "all" for r in rows])
    return labels, model, coverage, similarity, eligible, names


def _raw(model: np.ndarray, coverage: np.ndarray, similarity: np.ndarray, wc: float, ws: float) -> np.ndarray:
    return (model + wc * np.nan_to_num(coverage) + ws * np.nan_to_num(similarity)) / (1 + wc + ws)


def _accuracy(raw: np.ndarray, eligible: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    predicted = eligible & (raw >= threshold)
    return balanced_accuracy(labels.tolist(), predicted.astype(int).tolist())


def _transfer(raw: np.ndarray, eligible: np.ndarray, labels: np.ndarray, names: np.ndarray) -> dict[str, float]:
    """Each group's balanced accuracy at the threshold fitted on the other groups (leave one group out)."""
    out = {}
    for name in sorted(set(names.tolist())):
        held, rest = names == name, names != name
        groups = [names[rest] == other for other in sorted(set(names[rest].tolist()))]
        threshold, _ = _best_cut(raw[rest], eligible[rest], labels[rest], groups)
        out[name] = _accuracy(raw[held], eligible[held], labels[held], threshold)
    return out


def transfer(rows: Sequence[dict[str, object]], calibration: Calibration | None = None) -> dict[str, float]:
    """Leave-one-dataset-out balanced accuracy: for each dataset (FRANK-CNN/DM, FRANK-XSum, WiCE), the threshold
    is fitted on the other datasets and scored on it; the weights are the calibration's (as fitted, which saw
    every dataset) or, without one, chosen on the other datasets too. The worst dataset is the figure to beat."""
    labels, model, coverage, similarity, eligible, names = _columns(rows, "dataset")
    if calibration is not None:
        raw = _raw(model, coverage, similarity, calibration.coverage_weight, calibration.similarity_weight)
        return {k: round(v, 4) for k, v in _transfer(raw, eligible, labels, names).items()}
    out = {}
    for name in sorted(set(names.tolist())):
        rest = [r for r, n in zip(rows, names, strict=True) if n != name]
        fitted = fit_calibration(rest, judge="", files=[])
        raw = _raw(model, coverage, similarity, fitted.coverage_weight, fitted.similarity_weight)
        held = names == name
        out[name] = round(_accuracy(raw[held], eligible[held], labels[held], fitted.threshold), 4)
    return out


def fit_calibration(rows: Sequence[dict[str, object]], *, judge: str, files: Sequence[str],
                    tolerance: float = 0.01) -> Calibration:
    """The weighting whose worst dataset scores best when that dataset is left out of the threshold's fit
    (leave-one-dataset-out), the simpler weighting winning unless another is better by more than `tolerance`
    (noise on a few hundred pairs); then the threshold maximising the datasets' mean balanced accuracy under it.

    Fitting for the mean of the development sets rewarded word coverage, which lets through the claims that
    recombine a passage's own words wrongly (CNN/DM-style summaries): the transfer criterion does not.
    With one dataset the criterion is that dataset's balanced accuracy."""
    labels, model, coverage, similarity, eligible, names = _columns(rows, "dataset")
    groups = [names == name for name in sorted(set(names.tolist()))]
    best: tuple[float, float, float] | None = None
    for wc, ws in _grid(coverage, similarity):
        raw = _raw(model, coverage, similarity, wc, ws)
        worst = min(_transfer(raw, eligible, labels, names).values()) if len(groups) > 1 else \
            _best_cut(raw, eligible, labels, groups)[1]
        if best is None or worst > best[0] + tolerance:
            best = (worst, wc, ws)
    assert best is not None
    worst, wc, ws = best
    threshold, objective = _best_cut(_raw(model, coverage, similarity, wc, ws), eligible, labels, groups)
    provenance = (f"leave-one-dataset-out worst balanced accuracy {worst:.4f}, mean {objective:.4f} over "
                  f"{', '.join(sorted(set(names.tolist())))} from {', '.join(Path(f).name for f in files)} "
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
                      held_out_accuracy: dict[str, float] | None = None,
                      transfer_accuracy: dict[str, float] | None = None, profile: str = "documents") -> None:
    """Store the calibration with its provenance and the figures it gives on each file and dataset
    (in-sample), with the held-out and leave-one-dataset-out estimates, as the file's `profile`: its
    `documents` section (claims judged against whole documents, what labelled pairs are), the rest of an
    existing file kept; a new file gets it as both profiles."""
    data = {"threshold": calibration.threshold,
            "weights": {"coverage": calibration.coverage_weight, "similarity": calibration.similarity_weight},
            "provenance": calibration.provenance,
            "transfer_balanced_accuracy": transfer_accuracy or {},
            "held_out_balanced_accuracy": held_out_accuracy or {},
            "by_file": {k: v.model_dump() for k, v in report.by_file.items()},
            "by_dataset": {k: v.model_dump() for k, v in report.by_dataset.items()}}
    existing = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {**data}
    if profile == "documents":
        existing["documents"] = data
    else:
        existing = {**data, **({"documents": existing["documents"]} if "documents" in existing else {})}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(existing, indent=2) + "\n", encoding="utf-8")
