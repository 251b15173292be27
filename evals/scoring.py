"""Pure scores of one answer against its case. Judges (the verifier) feed them booleans.

Definitions follow ALCE for citations and RAGAS (strict) for faithfulness.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Attribution",
    "citation_precision",
    "citation_recall",
    "faithfulness",
    "hit_at_k",
    "mean",
    "reciprocal_rank",
    "refusal_correct",
    "share",
    "sources_represented",
]


def hit_at_k(retrieved: Sequence[str], expected: Sequence[str], k: int) -> float | None:
    """1 if any expected source is among the first k retrieved (document names, in rank order)."""
    if not expected:
        return None
    return float(any(name in expected for name in retrieved[:k]))


def reciprocal_rank(retrieved: Sequence[str], expected: Sequence[str]) -> float | None:
    """1 / rank of the first retrieved document that is expected; 0 when none is."""
    if not expected:
        return None
    for rank, name in enumerate(retrieved, start=1):
        if name in expected:
            return 1.0 / rank
    return 0.0


def share(flags: Sequence[bool]) -> float | None:
    """Fraction of true flags (None for nothing to score): context recall, key facts covered."""
    return sum(flags) / len(flags) if flags else None


def citation_recall(sentence_supported: Sequence[bool]) -> float | None:
    """ALCE: share of answer sentences entailed by the union of their cited passages.
    An uncited sentence counts as not entailed."""
    return share(sentence_supported)


def citation_precision(citations: Sequence[Mapping[str, bool]]) -> float | None:
    """ALCE: share of citations that are not irrelevant. Each item describes one citation with
    `sentence_supported` (its sentence is entailed by all its citations), `alone` (this passage
    alone entails it) and `rest` (the other citations still entail it without this one).

    A citation is irrelevant when it does not support alone and is not needed by the rest;
    every citation of a sentence its citations do not support counts as imprecise."""
    if not citations:
        return None
    good = 0
    for c in citations:
        if not c["sentence_supported"]:
            continue
        if c["alone"] or not c["rest"]:
            good += 1
    return good / len(citations)


def faithfulness(verdicts: Sequence[str | None]) -> float | None:
    """RAGAS-style, strict: share of answer sentences the verifier finds supported by the context
    the model was shown; "not found", unjudged (None) and contradicted all count as unsupported."""
    return share([v == "supported" for v in verdicts])


@dataclass(frozen=True)
class Attribution:
    """Whom one shown answer sentence credits: the files it cites, whether it names a cited source (or
    quotes it under its label), whether it names another source shown to the model, whether it is supported."""

    cited: frozenset[str]
    names_cited: bool
    names_other: bool
    supported: bool

    @property
    def misattributed(self) -> bool:
        """It names another source and none of those it cites: that source's view, credited wrongly."""
        return self.names_other and not self.names_cited


def sources_represented(attributions: Sequence[Attribution], speaking: Sequence[str]) -> float | None:
    """Share of the sources that speak to a question (two or more) that the answer hears: cited by a
    supported sentence that does not credit another source. None for single-source questions."""
    if len(set(speaking)) < 2:
        return None
    heard = {f for a in attributions if a.supported and not a.misattributed for f in a.cited}
    return share([f in heard for f in dict.fromkeys(speaking)])


def refusal_correct(answerable: bool, refused: bool) -> bool:
    """Answerable questions answered; unanswerable and false-premise ones refused."""
    return answerable != refused


def mean(values: Sequence[float | None]) -> tuple[float | None, int]:
    """Mean over the defined values and how many there were."""
    defined = [v for v in values if v is not None]
    return (sum(defined) / len(defined) if defined else None), len(defined)
