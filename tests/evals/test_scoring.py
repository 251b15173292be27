"""The pure eval scores on hand-made cases."""

from __future__ import annotations

import pytest

from evals.scoring import (
    citation_precision,
    citation_recall,
    faithfulness,
    hit_at_k,
    mean,
    reciprocal_rank,
    refusal_correct,
    share,
)


def test_hit_at_k_and_reciprocal_rank() -> None:
    retrieved = ["a.txt", "b.txt", "c.txt"]
    assert hit_at_k(retrieved, ["c.txt"], 3) == 1.0
    assert hit_at_k(retrieved, ["c.txt"], 2) == 0.0
    assert reciprocal_rank(retrieved, ["b.txt", "c.txt"]) == 0.5
    assert reciprocal_rank(retrieved, ["z.txt"]) == 0.0
    assert hit_at_k(retrieved, [], 3) is None and reciprocal_rank(retrieved, []) is None  # unanswerable


def test_citation_recall_counts_unsupported_and_uncited_sentences() -> None:
    assert citation_recall([True, False, True, True]) == 0.75
    assert citation_recall([]) is None


def test_citation_precision_follows_alce() -> None:
    supported_alone = {"sentence_supported": True, "alone": True, "rest": True}
    needed_together = {"sentence_supported": True, "alone": False, "rest": False}  # rest fails without it
    irrelevant = {"sentence_supported": True, "alone": False, "rest": True}  # rest works without it
    of_unsupported = {"sentence_supported": False, "alone": True, "rest": False}
    assert citation_precision([supported_alone, needed_together, irrelevant, of_unsupported]) == 0.5
    assert citation_precision([]) is None


def test_faithfulness_is_strict() -> None:
    assert faithfulness(["supported", "unsupported", None, "contradicted"]) == 0.25
    assert faithfulness(["supported"]) == 1.0


@pytest.mark.parametrize(("answerable", "refused", "correct"),
                         [(True, False, True), (True, True, False), (False, True, True), (False, False, False)])
def test_refusal_accuracy(answerable: bool, refused: bool, correct: bool) -> None:
    assert refusal_correct(answerable, refused) is correct


def test_share_and_mean_skip_undefined_values() -> None:
    assert share([True, False]) == 0.5 and share([]) is None
    assert mean([1.0, None, 0.0]) == (0.5, 2)
    assert mean([None]) == (None, 0)
