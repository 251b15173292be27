"""Cheap support signals read beside the judge: word coverage and closest-sentence similarity.

The 1.5B judge passes claims that bring in words the passage never uses (a partly supported
claim reads as supported); these two signals catch much of that. The calibration file weighs them
into the verifier's score (`sourcebrief eval judge --calibrate` fits the weights on labelled pairs).
"""

from __future__ import annotations

import numpy as np

from rag.retrieval import tokenize

__all__ = ["closest_similarity", "fold", "word_coverage"]

# Words an answer adds to attribute a claim ("According to Asbarez, ...") that no passage needs to hold.
_ATTRIBUTION = frozenset({"according"})
_FOLD = 5  # letters kept: "negotiated" and "negotiations" match, as do "releases" and "released"


def fold(word: str) -> str:
    """A word as coverage compares it: its first letters, a number whole."""
    return word if any(ch.isdigit() for ch in word) else word[:_FOLD]


def word_coverage(claim: str, passage: str) -> float:
    """The share of the claim's content words (folded to their first letters) that the passage uses."""
    words = [w for w in tokenize(claim) if w not in _ATTRIBUTION]
    if not words:
        return 1.0
    present = {fold(w) for w in tokenize(passage)}
    return sum(fold(w) in present for w in words) / len(words)


def closest_similarity(part_vectors: np.ndarray, sentence_vectors: np.ndarray) -> float:
    """Cosine of each claim part with its closest passage sentence (unit vectors); the weakest part counts."""
    if not len(part_vectors) or not len(sentence_vectors):
        return 0.0
    return float((part_vectors @ sentence_vectors.T).max(axis=1).min())
