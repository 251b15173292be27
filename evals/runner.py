"""Run a suite through the service: answer each case, judge it, score it, cache it."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from evals.labels import agreement, labels_for, load_labels
from evals.scoring import (
    Attribution,
    citation_precision,
    citation_recall,
    faithfulness,
    hit_at_k,
    mean,
    reciprocal_rank,
    refusal_correct,
    share,
    sources_represented,
)
from evals.suite import Case, Suite
from rag.errors import SourcebriefError
from rag.evidence import labelled_passage, names_source
from rag.parts import question_parts, unanswered_parts
from rag.service import Service
from rag.types import AnswerSentence, CitedAnswer, VerifyMode

__all__ = ["KINDS", "METRICS", "CaseResult", "EvalSummary", "MetricValue", "case_kind", "run_suite", "summarize"]

log = logging.getLogger(__name__)

# Every metric a row carries, in report order; higher is better for all but the cost ones.
METRICS = ("hit_at_k", "mrr", "context_recall", "evidence_recall", "citation_recall", "citation_precision",
           "faithfulness", "key_facts", "sources_represented", "parts_answered", "refusal_accuracy", "flagged_shown",
           "misattributed", "latency_s", "prompt_tokens", "completion_tokens")
COST = {"latency_s", "prompt_tokens", "completion_tokens", "flagged_shown", "misattributed"}
#: The kinds of case refusal accuracy is reported for: an answerable question refused is an error too.
KINDS = ("answerable", "unanswerable", "false-premise")


class FactCheck(BaseModel):
    fact: str
    in_context: bool = Field(description="Entailed by the retrieved passages.")
    in_evidence: bool | None = Field(default=None, description="Entailed by the evidence lines shown to the model "
                                     "(or quoted per source): was the fact's sentence chosen, not only retrieved?")
    in_answer: bool = Field(description="Entailed by the answer.")


class CaseResult(BaseModel):
    """One row of `rows.jsonl`."""

    id: str
    question: str
    tags: list[str]
    answerable: bool
    refused: bool
    answer: CitedAnswer | None = None
    retrieved_sources: list[str] = Field(default_factory=list, description="File names in rank order.")
    facts: list[FactCheck] = Field(default_factory=list)
    metrics: dict[str, float | None] = Field(default_factory=dict)
    error: str | None = None
    cached: bool = False


class MetricValue(BaseModel):
    mean: float | None
    n: int


class EvalSummary(BaseModel):
    """`summary.json`: every metric with its count, per tag, and the run's provenance."""

    suite: str
    cases: int
    errors: int
    metrics: dict[str, MetricValue]
    by_tag: dict[str, dict[str, MetricValue]]
    by_kind: dict[str, dict[str, MetricValue]] = Field(default_factory=dict, description=(
        "Metrics over answerable, unanswerable and false-premise cases (a false-premise case is tagged so)."))
    provenance: dict[str, str]
    seconds: float
    created: str
    label_agreement: dict[str, MetricValue] = Field(default_factory=dict, description=(
        "Share of the suite's hand-labelled pairs (evals/labels/) where the metric's judge agrees with the person."))


Progress = Callable[[int, int], None]


def _cache_key(case: Case, provenance: dict[str, str]) -> str:
    blob = json.dumps([case.fingerprint(), sorted(provenance.items())])
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


class _Judge:
    """The verifier as the eval's judge: booleans for the pure scores."""

    def __init__(self, service: Service) -> None:
        self.verifier = service.verifier

    def supports(self, claim: str, passages: Sequence[str]) -> bool:
        passages = [p for p in passages if p.strip()]
        return bool(passages) and self.verifier.verify(claim, passages).label == "supported"

    def sentence_supported(self, sentence: AnswerSentence) -> bool:
        if sentence.verdict is not None:  # the answer was verified against exactly its cited quotes
            return sentence.verdict.label == "supported"
        return self.supports(sentence.text, [c.quote for c in sentence.citations])

    def citation_rows(self, sentence: AnswerSentence, supported: bool) -> list[dict[str, bool]]:
        quotes = [c.quote for c in sentence.citations]
        if len(quotes) == 1 or not supported:  # alone == whole set, or nothing to credit
            return [{"sentence_supported": supported, "alone": supported, "rest": False} for _ in quotes]
        return [{"sentence_supported": True, "alone": self.supports(sentence.text, [q]),
                 "rest": self.supports(sentence.text, quotes[:i] + quotes[i + 1:])} for i, q in enumerate(quotes)]


def attributions(answer: CitedAnswer, supported: Sequence[bool]) -> list[Attribution]:
    """Whom each shown sentence credits, by the source labels of the evidence the model was shown."""
    labels: dict[str, str] = {}
    for e in (*answer.evidence, *answer.related):
        labels.setdefault(e.file_name, e.source)
    claims = [s for s in answer.sentences if "refusal" not in s.flags]
    out = []
    for sentence, ok in zip(claims, supported, strict=True):
        cited = frozenset(c.file_name for c in sentence.citations)
        own = {labels[f] for f in cited if f in labels}
        # Only a cited sentence credits anyone: "The sources do not say that Alwaght praises ..." cites nothing.
        others = {label for f, label in labels.items() if f not in cited and label not in own} if cited else set()
        out.append(Attribution(
            cited=cited, supported=ok,
            names_cited="quote" in sentence.flags or any(names_source(sentence.text, label) for label in own),
            names_other=any(names_source(sentence.text, label) for label in others)))
    return out


def as_read(question: str, answer: str) -> str:
    """An answer as a reader takes it, after its question: "its role" in the answer is the role the question
    names. Key facts are judged against this, not the answer alone (the question's names resolve the answer's
    pronouns; what it asserts is still the answer's)."""
    return f"Question: {question}\nAnswer: {answer}"


def parts_answered(answer: CitedAnswer) -> float | None:
    """For a question of several parts ("when ... and how many ..."), the share of its parts that the answer's
    shown claims address (`rag.parts`); None for a one-part question."""
    parts = question_parts(answer.standalone_question)
    if len(parts) < 2:
        return None
    if answer.declined:
        return 0.0
    said = [s.text for s in answer.sentences if "refusal" not in s.flags]
    return 1 - len(unanswered_parts(parts, said)) / len(parts)


def score_case(case: Case, answer: CitedAnswer, judge: _Judge, k: int) -> CaseResult:
    """Judge one answer and compute every metric for its row."""
    retrieved = _unique([h.file_name for h in answer.retrieved])
    context = [h.chunk.text for h in answer.retrieved]
    shown = [labelled_passage(e.source, e.reading) for e in answer.evidence]
    facts = [FactCheck(fact=f, in_context=judge.supports(f, context), in_evidence=judge.supports(f, shown),
                       in_answer=not answer.refused and judge.supports(f, [as_read(case.question, answer.text)]))
             for f in case.key_facts]
    claims = [s for s in answer.sentences if "refusal" not in s.flags]
    supported = [bool(s.citations) and judge.sentence_supported(s) for s in claims]
    citations = [row for s, ok in zip(claims, supported, strict=True) for row in judge.citation_rows(s, ok)]
    # Faithfulness asks whether a sentence rests on anything the model was shown, cited or not: each
    # evidence line with its source label, as the model saw it ("According to Alwaght, ..." is then judged).
    grounded = ["supported" if ok or judge.supports(s.text, shown) else "unsupported"
                for s, ok in zip(claims, supported, strict=True)]
    credited = attributions(answer, supported)
    metrics: dict[str, float | None] = {
        "hit_at_k": hit_at_k(retrieved, case.expected_sources, k),
        "mrr": reciprocal_rank(retrieved, case.expected_sources),
        "context_recall": share([f.in_context for f in facts]),
        "evidence_recall": share([bool(f.in_evidence) for f in facts]),
        "citation_recall": citation_recall(supported),
        "citation_precision": citation_precision(citations),
        "faithfulness": faithfulness(grounded),
        "key_facts": share([f.in_answer for f in facts]) if case.answerable else None,
        "sources_represented": sources_represented(credited, case.expected_sources) if case.answerable else None,
        "parts_answered": parts_answered(answer) if case.answerable else None,
        "refusal_accuracy": float(refusal_correct(case.answerable, answer.declined)),
        # Shown sentences whose deterministic checks failed (a number, date or name the passage lacks).
        "flagged_shown": float(sum(bool(s.verdict and s.verdict.issues) for s in claims)),
        # Shown sentences that name another source than the ones they cite (a view credited wrongly).
        "misattributed": float(sum(a.misattributed for a in credited)),
        "latency_s": answer.timings.get("total"),
        "prompt_tokens": float(answer.usage.get("input_tokens", 0)),
        "completion_tokens": float(answer.usage.get("output_tokens", 0)),
    }
    return CaseResult(id=case.id, question=case.question, tags=case.tags, answerable=case.answerable,
                      refused=answer.refused, answer=answer, retrieved_sources=retrieved, facts=facts,
                      metrics=metrics)


def case_kind(case: Case | CaseResult) -> str:
    """answerable, false-premise or unanswerable."""
    if case.answerable:
        return "answerable"
    return "false-premise" if "false-premise" in case.tags else "unanswerable"


def run_case(service: Service, case: Case, cache_dir: Path | None, provenance: dict[str, str],
             verify: VerifyMode | None = None) -> CaseResult:
    """Answer and score one case (in the service's default verify mode unless `verify`), or read it back
    from the cache."""
    path = cache_dir / f"{_cache_key(case, provenance)}.json" if cache_dir else None
    if path is not None and path.exists():
        return CaseResult.model_validate_json(path.read_text(encoding="utf-8")).model_copy(update={"cached": True})
    try:
        answer = service.ask(case.question, case.history, verify=verify)
        result = score_case(case, answer, _Judge(service), service.settings.top_k)
    except SourcebriefError as exc:
        # A case the service rejects is a finding, not a crash: it scores as a failure, uncached.
        return CaseResult(id=case.id, question=case.question, tags=case.tags, answerable=case.answerable,
                          refused=False, error=str(exc), metrics={"refusal_accuracy": 0.0})
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.model_dump_json(), encoding="utf-8")
    return result


def summarize(suite: Suite, rows: Sequence[CaseResult], provenance: dict[str, str], seconds: float) -> EvalSummary:
    def metric_values(selected: Sequence[CaseResult]) -> dict[str, MetricValue]:
        out = {}
        for name in METRICS:
            value, n = mean([r.metrics.get(name) for r in selected])
            out[name] = MetricValue(mean=None if value is None else round(value, 4), n=n)
        return out

    tags = sorted({t for r in rows for t in r.tags})
    return EvalSummary(suite=suite.name, cases=len(rows), errors=sum(r.error is not None for r in rows),
                       metrics=metric_values(rows),
                       by_tag={t: metric_values([r for r in rows if t in r.tags]) for t in tags},
                       by_kind={k: metric_values([r for r in rows if case_kind(r) == k]) for k in KINDS},
                       provenance=provenance, seconds=round(seconds, 2),
                       created=datetime.now(UTC).isoformat(timespec="seconds"))


def run_suite(service: Service, suite: Suite, *, limit: int | None = None, concurrency: int = 1,
              use_cache: bool = True, on_progress: Progress | None = None,
              verify: VerifyMode | None = None) -> tuple[list[CaseResult], EvalSummary]:
    """Every case (or the first `limit`), `concurrency` at a time, in suite order."""
    cases = suite.cases[:limit] if limit else suite.cases
    mode = verify or service.settings.verify_mode
    provenance = {**service.provenance(), "suite": suite.name, "suite_path": suite.path, "verify_mode": mode}
    cache_dir = service.work_dir / "evals" / "cache" if use_cache else None
    started = time.perf_counter()
    done = 0

    def one(case: Case) -> CaseResult:
        nonlocal done
        result = run_case(service, case, cache_dir, provenance, mode)
        done += 1
        if on_progress is not None:
            on_progress(done, len(cases))
        return result

    if concurrency > 1:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            rows = list(pool.map(one, cases))
    else:
        rows = [one(c) for c in cases]
    summary = summarize(suite, rows, provenance, time.perf_counter() - started)
    labels = labels_for(Path(suite.path))
    if labels.is_file():
        found = agreement(load_labels(labels), _Judge(service).supports, as_read)
        summary.label_agreement = {name: MetricValue(mean=mean, n=n) for name, (mean, n) in found.items()}
    return rows, summary
