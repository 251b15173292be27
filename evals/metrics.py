"""Pure scoring functions, unit-tested apart from the judges that feed them."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["balanced_accuracy", "best_threshold", "precision_recall", "roc_auc"]


def balanced_accuracy(labels: Sequence[int], predictions: Sequence[int]) -> float:
    """Mean of the recall of each class (1 and 0); 0.5 is chance whatever the class balance."""
    recalls = []
    for cls in (0, 1):
        total = sum(1 for y in labels if y == cls)
        if total:
            recalls.append(sum(1 for y, p in zip(labels, predictions, strict=True) if y == cls and p == cls) / total)
    return sum(recalls) / len(recalls) if recalls else 0.0


def precision_recall(labels: Sequence[int], predictions: Sequence[int], positive: int) -> tuple[float, float]:
    """Precision and recall of one class."""
    tp = sum(1 for y, p in zip(labels, predictions, strict=True) if y == positive and p == positive)
    predicted = sum(1 for p in predictions if p == positive)
    actual = sum(1 for y in labels if y == positive)
    return (tp / predicted if predicted else 0.0), (tp / actual if actual else 0.0)


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pos = [s for y, s in zip(labels, scores, strict=True) if y == 1]
    neg = [s for y, s in zip(labels, scores, strict=True) if y == 0]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def best_threshold(labels: Sequence[int], scores: Sequence[float]) -> tuple[float, float]:
    """The cut-off (score >= t means supported) that maximises balanced accuracy, and that accuracy."""
    candidates = [*sorted(set(scores)), 1.01]
    best = (0.5, -1.0)
    for t in candidates:
        acc = balanced_accuracy(labels, [int(s >= t) for s in scores])
        if acc > best[1]:
            best = (t, acc)
    return best
