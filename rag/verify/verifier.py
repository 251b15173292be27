"""The verifier: LLM judge (and an optional NLI model) combined with deterministic checks,
thresholds from calibration, and a verdict cache keyed by (claim, passage)."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.ingest.sentences import split_sentences
from rag.retrieval import tokenize
from rag.types import Verdict
from rag.verify.checks import deterministic_checks
from rag.verify.signals import closest_similarity, word_coverage

__all__ = ["PROFILES", "Calibration", "Scorer", "VerdictCache", "Verifier", "claim_parts", "combine", "judge_name",
           "load_calibration"]

log = logging.getLogger(__name__)


class Scorer(Protocol):
    """A backend giving P(supported) for a claim and a (trimmed) passage."""

    name: str

    def probability(self, claim: str, passage: str) -> float: ...


@dataclass(frozen=True)
class Calibration:
    """Decision threshold on the combined score, the signals' weights beside the judge, and provenance.

    The combined score is (judge + coverage_weight * word coverage + similarity_weight * closest-sentence
    similarity) / (1 + the weights used); a weight of 0 leaves its signal out.
    """

    threshold: float = 0.5
    provenance: str = "default (not calibrated)"
    coverage_weight: float = 0.0
    similarity_weight: float = 0.0

    @property
    def key(self) -> str:
        """What changes verdicts: caches of answers, guides and eval cases are keyed by it."""
        return f"{self.threshold}/{self.coverage_weight}/{self.similarity_weight}"

    def weights(self) -> dict[str, float]:
        return {"coverage": self.coverage_weight, "similarity": self.similarity_weight}


#: Which calibration a judgement uses: a claim against the few lines it cites (answers, briefings, guides, the
#: suite's metrics) or against a whole document (`eval judge` on labelled article/claim pairs).
PROFILES = ("cited", "documents")


def load_calibration(path: Path, profile: str = "cited") -> Calibration:
    """The calibration file's `profile`: its top level for claims against their cited lines, its `documents`
    section (when it has one) for claims against whole documents. Word coverage means different things there:
    a claim that reuses its two cited lines' words mostly says what they say, while a claim that reuses a
    3,000-character article's words may recombine them wrongly."""
    if not path.is_file():
        return Calibration()
    data = json.loads(path.read_text(encoding="utf-8"))
    if profile == "documents" and isinstance(data.get("documents"), dict):
        data = data["documents"]
    weights = data.get("weights") or {}
    return Calibration(threshold=float(data["threshold"]), provenance=str(data.get("provenance", path.name)),
                       coverage_weight=float(weights.get("coverage", 0.0)),
                       similarity_weight=float(weights.get("similarity", 0.0)))


def combine(scores: Sequence[float], issues: Sequence[str], contradiction: bool, threshold: float,
            signals: Mapping[str, float] | None = None, weights: Mapping[str, float] | None = None
            ) -> tuple[str, float]:
    """Pure combination: mean of backend scores, weighed with the signals, capped by the checks.

    `signals` (word coverage, similarity) count with their `weights` beside the backends' mean.
    A contradiction (a different number or date, a flipped negation) caps the score at 0.05 and
    labels it `contradicted`; other issues (a name the passage never mentions) cap it just
    under the threshold, so it is never `supported`.
    """
    score = sum(scores) / len(scores) if scores else 0.5
    signals = signals or {}
    used = {name: w for name, w in (weights or {}).items() if w > 0 and name in signals}
    if used:
        score = (score + sum(w * signals[name] for name, w in used.items())) / (1 + sum(used.values()))
    if contradiction:
        return "contradicted", min(score, 0.05)
    if issues:
        score = min(score, threshold * 0.9)
    return ("supported" if score >= threshold else "unsupported"), score


class VerdictCache:
    """Backend scores on disk (SQLite), keyed by a hash of backend identity, claim and passage.

    Scores, not verdicts, are cached: the expensive part is the model call, while thresholds and
    deterministic checks may change and are cheap to apply again.
    """

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.Lock()
        self._memory: dict[str, float] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS scores (key TEXT PRIMARY KEY, score REAL)")

    @staticmethod
    def key(judge: str, claim: str, passage: str) -> str:
        return hashlib.sha256(json.dumps([judge, claim, passage]).encode()).hexdigest()

    def get(self, key: str) -> float | None:
        with self._lock:
            if key in self._memory:
                return self._memory[key]
            if self._db is None:
                return None
            row = self._db.execute("SELECT score FROM scores WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else None

    def put(self, key: str, score: float) -> None:
        with self._lock:
            self._memory[key] = score
            if self._db is not None:
                self._db.execute("INSERT OR REPLACE INTO scores VALUES (?, ?)", (key, score))
                self._db.commit()


class Verifier:
    """Judges claims against passages; implements the answer chain's `ClaimVerifier` hook."""

    def __init__(self, scorers: Sequence[Scorer], *, calibration: Calibration | None = None,
                 embeddings: Embeddings | None = None, cache: VerdictCache | None = None,
                 max_passage_chars: int = 1500) -> None:
        from rag.evidence import SentenceVectors
        from rag.verify.judge import trim_passage

        self.scorers = list(scorers)
        self.calibration = calibration or Calibration()
        self.embeddings = embeddings
        self.cache = cache or VerdictCache(None)
        self.max_passage_chars = max_passage_chars
        self._trim = trim_passage
        # A multi-sentence claim cuts the same passage once per sentence, and evaluation sets pair one
        # article with several summaries: its sentences are embedded once.
        self._passage_vectors = SentenceVectors(embeddings, 5_000) if embeddings is not None else None
        self.name = judge_name([s.name for s in self.scorers], self.calibration)

    def with_calibration(self, calibration: Calibration) -> Verifier:
        """The same judge (scorers, embeddings, score cache) deciding with another calibration."""
        return Verifier(self.scorers, calibration=calibration, embeddings=self.embeddings, cache=self.cache,
                        max_passage_chars=self.max_passage_chars)

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict:
        """A verdict for one claim against the passages it cites (their union).

        A claim of several sentences is as strong as its weakest: each sentence is judged on the
        passage trimmed for it, and the lowest score counts.
        """
        passage = "\n".join(p.strip() for p in passages if p.strip())
        parts = claim_parts(claim)
        # Each part is embedded once: for its similarity signal and, in a long passage, for its cut.
        part_vectors = dict(zip(parts, self.embeddings.embed_documents(parts), strict=True)) \
            if self.embeddings is not None else {}
        trimmed = self._cut(claim, passage, part_vectors.get(claim))
        pieces = [(claim, trimmed)] if parts == [claim] else \
            [(part, self._cut(part, passage, part_vectors.get(part))) for part in parts]
        scores = [min(self._score(scorer, part, text) for part, text in pieces) for scorer in self.scorers]
        signals = {"model": sum(scores) / len(scores), "coverage": word_coverage(claim, passage)}
        if self._passage_vectors is not None:
            sentences = self._passage_vectors.get([s.text for s in split_sentences(passage)])
            signals["similarity"] = closest_similarity(np.asarray([part_vectors[p] for p in parts]), sentences)
        checks = deterministic_checks(claim, passage)
        label, score = combine(scores, checks.issues, checks.contradiction, self.calibration.threshold,
                               signals, self.calibration.weights())
        return Verdict(label=label, score=round(score, 4), support=tuple(_support(claim, trimmed)),
                       judge=self.name + (f" [{'; '.join(checks.issues)}]" if checks.issues else ""),
                       signals={k: round(v, 4) for k, v in signals.items()}, issues=tuple(checks.issues))

    def _cut(self, claim: str, passage: str, claim_vector: Sequence[float] | None = None) -> str:
        return self._trim(claim, passage, self.embeddings, self.max_passage_chars, self._passage_vectors,
                          claim_vector)

    def _score(self, scorer: Scorer, claim: str, passage: str) -> float:
        key = self.cache.key(scorer.name, claim, passage)
        cached = self.cache.get(key)
        if cached is None:
            cached = scorer.probability(claim, passage)
            self.cache.put(key, cached)
        return cached


def judge_name(scorers: Sequence[str], calibration: Calibration) -> str:
    """Names what decides: the backends, the checks, and each signal with a weight."""
    weighed = [name for name, weight in calibration.weights().items() if weight > 0]
    return "+".join([*scorers, "checks", *weighed])


def claim_parts(claim: str, min_words: int = 3) -> list[str]:
    """The sentences of a claim that say something (three words or more); the claim itself if it is one."""
    parts = [s.text for s in split_sentences(claim) if len(s.text.split()) >= min_words]
    return parts if parts and parts != [claim.strip()] else [claim]


def _support(claim: str, passage: str, most: int = 2) -> list[str]:
    """The passage sentences sharing the most content words with the claim."""
    terms = set(tokenize(claim))
    ranked = sorted(split_sentences(passage), key=lambda s: len(terms & set(tokenize(s.text))), reverse=True)
    return [s.text for s in ranked[:most] if terms & set(tokenize(s.text))]
