"""The pure metrics behind `sourcebrief eval judge`."""

from __future__ import annotations

import json
import math

import pytest

from evals.judge import LabelledPair, evaluate_judge, load_pairs, sample_pairs
from evals.metrics import balanced_accuracy, best_threshold, precision_recall, roc_auc
from rag.types import Verdict


def test_balanced_accuracy_ignores_class_balance() -> None:
    labels = [1] * 9 + [0]
    assert balanced_accuracy(labels, [1] * 10) == 0.5
    assert balanced_accuracy(labels, labels) == 1.0
    assert balanced_accuracy([1, 1, 0, 0], [1, 0, 0, 1]) == 0.5


def test_precision_recall_of_the_unsupported_class() -> None:
    precision, recall = precision_recall([0, 0, 1, 1], [0, 1, 0, 1], positive=0)
    assert (precision, recall) == (0.5, 0.5)
    assert precision_recall([1, 1], [1, 1], positive=0) == (0.0, 0.0)


def test_roc_auc() -> None:
    assert roc_auc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]) == 1.0
    assert roc_auc([1, 0], [0.5, 0.5]) == 0.5
    assert roc_auc([1, 1, 0], [0.1, 0.9, 0.5]) == 0.5
    assert math.isnan(roc_auc([1, 1], [0.3, 0.4]))


def test_best_threshold() -> None:
    threshold, acc = best_threshold([1, 1, 0, 0], [0.95, 0.9, 0.85, 0.2])
    assert acc == 1.0 and 0.85 < threshold <= 0.9


def test_sampling_is_balanced_per_dataset() -> None:
    pairs = [LabelledPair(id=str(i), dataset=d, premise="p", claim="c", label=int(i % 3 == 0))
             for d in ("a", "b") for i in range(30)]
    picked = sample_pairs(pairs, 8)
    for d in ("a", "b"):
        labels = [p.label for p in picked if p.dataset == d]
        assert len(labels) == 8 and sum(labels) == 4
    assert sample_pairs(pairs, 8) == picked  # seeded


def test_evaluate_judge_scores_against_labels() -> None:
    pairs = [LabelledPair(id=str(i), dataset="x", premise="p", claim=str(i), label=i % 2) for i in range(6)]

    def verify(claim: str, premise: str) -> Verdict:  # a perfect judge on odd ids
        good = int(claim) % 2 == 1
        return Verdict(label="supported" if good else "unsupported", score=0.9 if good else 0.1)

    report = evaluate_judge(pairs, verify, judge="t", threshold=0.5, threshold_provenance="test", files=[])
    assert report.overall.balanced_accuracy == 1.0 and report.overall.roc_auc == 1.0
    assert report.by_dataset["x"].n == 6 and report.pairs_per_s > 0


def test_judge_report_gives_each_development_set_file_its_own_row(tmp_path) -> None:
    for name, labels in (("a.jsonl", [1, 0, 1, 0]), ("b.jsonl", [1, 0])):
        (tmp_path / name).write_text("".join(
            json.dumps({"premise": "p", "claim": f"{name}{i}", "label": y, "dataset": "d"}) + "\n"
            for i, y in enumerate(labels)), encoding="utf-8")
    pairs = load_pairs([tmp_path / "a.jsonl", tmp_path / "b.jsonl"])

    def verify(claim: str, premise: str) -> Verdict:  # right on a.jsonl, always "supported" on b.jsonl
        label = next(p.label for p in pairs if p.claim == claim) if claim.startswith("a") else 1
        return Verdict(label="supported" if label else "unsupported", score=0.9 if label else 0.1)

    report = evaluate_judge(pairs, verify, judge="t", threshold=0.5, threshold_provenance="test", files=[])
    assert {k: (m.n, m.balanced_accuracy) for k, m in report.by_file.items()} == {"a.jsonl": (4, 1.0),
                                                                              "b.jsonl": (2, 0.5)}
    assert list(report.by_dataset) == ["d"]


@pytest.mark.parametrize("line", ['{"premise": "p"}', "not json"])
def test_bad_pair_files_get_one_line_errors(tmp_path, line: str) -> None:
    from evals.judge import load_pairs
    from rag.errors import InputError

    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(InputError) as info:
        load_pairs([path])
    assert "bad.jsonl:1" in str(info.value) and "\n" not in str(info.value)
