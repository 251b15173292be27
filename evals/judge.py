"""Measure a faithfulness judge against human-labelled (premise, claim, label) pairs."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel

from evals.metrics import balanced_accuracy, best_threshold, precision_recall, roc_auc
from rag.errors import InputError
from rag.types import Verdict

__all__ = ["JudgeMetrics", "JudgeReport", "LabelledPair", "evaluate_judge", "judge_report", "load_pairs",
           "sample_pairs"]


class LabelledPair(BaseModel):
    id: str
    dataset: str
    premise: str
    claim: str
    label: int
    file: str = ""  # the file it was read from (a development set is a file)


class JudgeMetrics(BaseModel):
    n: int
    positives: int
    balanced_accuracy: float
    unsupported_precision: float
    unsupported_recall: float
    roc_auc: float
    best_threshold: float
    best_balanced_accuracy: float


class JudgeReport(BaseModel):
    judge: str
    threshold: float
    threshold_provenance: str
    files: list[str]
    seconds: float
    pairs_per_s: float
    overall: JudgeMetrics
    by_dataset: dict[str, JudgeMetrics]
    by_file: dict[str, JudgeMetrics] = {}
    rows: list[dict[str, object]]


def load_pairs(paths: Sequence[Path]) -> list[LabelledPair]:
    """Read JSONL pairs; a bad line is a one-line InputError naming file and line."""
    pairs = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                data.setdefault("id", f"{path.stem}:{number}")
                data.setdefault("dataset", path.stem)
                data["file"] = path.name
                pairs.append(LabelledPair.model_validate(data))
            except ValueError as exc:
                reason = str(exc).splitlines()[0]
                raise InputError(f"{path}:{number}: not a {{premise, claim, label}} pair ({reason})") from exc
    return pairs


def sample_pairs(pairs: Sequence[LabelledPair], per_dataset: int | None, seed: int = 13) -> list[LabelledPair]:
    """Up to `per_dataset` pairs of each dataset, half supported and half not where possible."""
    if per_dataset is None:
        return list(pairs)
    rng = random.Random(seed)
    out: list[LabelledPair] = []
    groups: dict[tuple[str, int], list[LabelledPair]] = defaultdict(list)
    for pair in pairs:
        groups[(pair.dataset, pair.label)].append(pair)
    for dataset in sorted({p.dataset for p in pairs}):
        pos, neg = groups[(dataset, 1)][:], groups[(dataset, 0)][:]
        rng.shuffle(pos)
        rng.shuffle(neg)
        half = per_dataset // 2
        take_pos = pos[:max(half, per_dataset - len(neg))]
        out += take_pos + neg[:per_dataset - len(take_pos)]
    return out


def _metrics(labels: list[int], scores: list[float], predictions: list[int]) -> JudgeMetrics:
    unsupported = [1 - y for y in labels]
    precision, recall = precision_recall(unsupported, [1 - p for p in predictions], positive=1)
    threshold, best = best_threshold(labels, scores)
    return JudgeMetrics(n=len(labels), positives=sum(labels), balanced_accuracy=round(balanced_accuracy(
        labels, predictions), 4), unsupported_precision=round(precision, 4), unsupported_recall=round(recall, 4),
        roc_auc=round(roc_auc(labels, scores), 4), best_threshold=round(threshold, 4),
        best_balanced_accuracy=round(best, 4))


def evaluate_judge(pairs: Sequence[LabelledPair], verify: Callable[[str, str], Verdict], *, judge: str,
                   threshold: float, threshold_provenance: str, files: Sequence[str],
                   on_progress: Callable[[int, int], None] | None = None) -> JudgeReport:
    """Run `verify(claim, premise)` on every pair and score it against the human labels.

    Pairs are judged premise by premise (an article with several summaries in a row), so a judge that reads
    the same passage again restores the model's saved state for it instead of reading it anew."""
    rows: list[dict[str, object]] = []
    started = time.perf_counter()
    order = sorted(range(len(pairs)), key=lambda i: (pairs[i].premise, i))
    for i, pair in enumerate(pairs[j] for j in order):
        verdict = verify(pair.claim, pair.premise)
        rows.append({"id": pair.id, "dataset": pair.dataset, "file": pair.file, "label": pair.label,
                     "score": verdict.score, "verdict": verdict.label, "judge": verdict.judge,
                     "signals": dict(verdict.signals), "issues": list(verdict.issues),
                     "premise_key": hashlib.sha256(pair.premise.encode()).hexdigest()[:12]})
        if on_progress is not None:
            on_progress(i + 1, len(pairs))
    return judge_report(rows, judge=judge, threshold=threshold, threshold_provenance=threshold_provenance,
                        files=files, seconds=time.perf_counter() - started)


def judge_report(rows: list[dict[str, object]], *, judge: str, threshold: float, threshold_provenance: str,
                 files: Sequence[str], seconds: float) -> JudgeReport:
    """Metrics of judged rows (`label`, `score`, `verdict`), overall, per dataset and per file."""

    def metrics_of(selected: list[dict[str, object]]) -> JudgeMetrics:
        labels = [int(r["label"]) for r in selected]  # type: ignore[call-overload]
        scores = [float(r["score"]) for r in selected]  # type: ignore[arg-type]
        return _metrics(labels, scores, [int(r["verdict"] == "supported") for r in selected])

    datasets = sorted({str(r["dataset"]) for r in rows})
    files_seen = sorted({str(r["file"]) for r in rows if r["file"]})
    by_file = {f: metrics_of([r for r in rows if r["file"] == f]) for f in files_seen} if len(files_seen) > 1 else {}
    return JudgeReport(judge=judge, threshold=threshold, threshold_provenance=threshold_provenance,
                       files=list(files), seconds=round(seconds, 2),
                       pairs_per_s=round(len(rows) / seconds, 3) if seconds else 0.0,
                       overall=metrics_of(rows),
                       by_dataset={d: metrics_of([r for r in rows if r["dataset"] == d]) for d in datasets},
                       by_file=by_file,
                       rows=rows)
