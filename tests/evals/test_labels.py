"""Hand labels: the file loads, and agreement counts the pairs where the metric's judge matches the person."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from evals.labels import agreement, labels_for, load_labels
from evals.runner import as_read
from rag.config import REPO_ROOT
from rag.errors import InputError


def test_the_seeds_labels_load_and_cover_at_least_thirty_cases() -> None:
    labels = load_labels(labels_for(REPO_ROOT / "evals" / "suites" / "seeds.yaml"))
    assert labels.labeller and labels.method
    assert len(labels.cases) >= 30
    assert {x.label for x in labels.key_facts} == {0, 1} and {x.label for x in labels.faithfulness} == {0, 1}


def test_agreement_re_judges_each_pair_as_the_metric_does() -> None:
    from evals.labels import FactLabel, HandLabels, SentenceLabel

    labels = HandLabels(labeller="t", method="t", key_facts=[
        FactLabel(case="a", question="What did Russia do?", fact="Russia mediated.", answer="It mediated.", label=1),
        FactLabel(case="a", question="What did Russia do?", fact="Russia fought.", answer="It mediated.", label=0)],
        faithfulness=[SentenceLabel(case="a", sentence="Russia mediated.", evidence=["X: Russia mediated."], label=1)])
    seen: list[tuple[str, list[str]]] = []

    def supports(claim: str, passages: Sequence[str]) -> bool:  # a judge that finds the claim's verb in the text
        seen.append((claim, list(passages)))
        return claim.split()[1] in " ".join(passages)

    found = agreement(labels, supports, as_read)
    assert found == {"key_facts": (1.0, 2), "faithfulness": (1.0, 1)}
    assert seen[0][1] == ["Question: What did Russia do?\nAnswer: It mediated."]  # read after its question


def test_a_broken_labels_file_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("labeller: x\nkey_facts: [{case: a}]\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a hand-labels file"):
        load_labels(bad)
