"""Hand labels for the suite's judge-based metrics, and how often the metrics agree with them.

Key facts and faithfulness are judged by the verifier; a verifier that misreads an answer ("its role"
for "Russia's role", "counterpart" for "Foreign Minister") moves the suite's figures without any
change in the answers. A labels file (`evals/labels/<suite>.yaml`) keeps pairs a person judged:
a key fact and an answer (is the fact stated?), an answer sentence and the evidence it cites (is it
supported?). `eval run` re-judges every labelled pair exactly as the metric does and reports the share
that agrees with the person, so a change of judge or metric is measured against people, not itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from rag.errors import InputError

__all__ = ["FactLabel", "HandLabels", "SentenceLabel", "agreement", "labels_for", "load_labels"]


class FactLabel(BaseModel):
    case: str
    question: str
    fact: str
    answer: str = Field(description="The answer's shown claims, as the metric reads them.")
    label: int = Field(ge=0, le=1, description="1: the answer states the fact.")


class SentenceLabel(BaseModel):
    case: str
    sentence: str
    evidence: list[str] = Field(description="The cited lines, each with its source label as the model saw it.")
    label: int = Field(ge=0, le=1, description="1: the cited lines support the whole sentence.")


class HandLabels(BaseModel):
    labeller: str
    method: str
    key_facts: list[FactLabel] = Field(default_factory=list)
    faithfulness: list[SentenceLabel] = Field(default_factory=list)

    @property
    def cases(self) -> set[str]:
        return {x.case for x in self.key_facts} | {x.case for x in self.faithfulness}


def load_labels(path: Path) -> HandLabels:
    try:
        return HandLabels.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise InputError(f"{path}: not a hand-labels file ({str(exc).splitlines()[0]})") from exc


def labels_for(suite_path: Path) -> Path:
    """Where a suite's hand labels live: evals/labels/<suite file stem>.yaml."""
    return suite_path.resolve().parent.parent / "labels" / f"{suite_path.stem}.yaml"


def agreement(labels: HandLabels, supports: Callable[[str, Sequence[str]], bool],
              as_read: Callable[[str, str], str]) -> dict[str, tuple[float | None, int]]:
    """Share of labelled pairs where the metric's judgement (`supports`, the eval's judge) matches the person's:
    key facts judged against the answer as read after its question, sentences against their cited lines."""
    facts = [int(supports(x.fact, [as_read(x.question, x.answer)])) == x.label for x in labels.key_facts]
    sentences = [int(supports(x.sentence, x.evidence)) == x.label for x in labels.faithfulness]
    return {name: (round(sum(found) / len(found), 4) if found else None, len(found))
            for name, found in (("key_facts", facts), ("faithfulness", sentences))}
