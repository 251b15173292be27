"""Our answers against the plain LangChain recipe on the developers' whole question set, same run.

    python benchmarks/answer_suite.py [--suite evals/suites/seeds.yaml] [--limit N] [--every K] [--out rows.jsonl]

`benchmarks/answer.py` times five questions; this one asks every case of an eval suite (56 on the
seeds) both ways with the embedded model, each from an empty live KV cache (saved prompt-prefix
states stay, as in the app):
- ours: `sourcebrief ask` in the default `guarded` mode (hybrid retrieval, evidence sentences, the
  answerability gates and the premise check before the model writes, JSON with citations, every
  shown sentence verified and unsupported ones re-cited or removed); its total time is the complete
  checked answer;
- baseline: LangChain's classic "stuff" QA, the top-4 chunks of 1,000 characters by embedding in one
  prompt; a follow-up gets our stand-alone rewrite of the question, as LangChain's conversational
  chain would condense it.
Both answers are scored the same way: the key facts the verifier finds stated in the answer text
(answerable cases), and refusal accuracy (ours refuses with its refusal sentence; the baseline's
"I don't know" and its variants count as a refusal). Prints medians of prompt tokens and first-token
time, the ratio ours/baseline (target <= 0.33), the ratio of complete answers (ours checked, the
baseline unchecked; target <= 1), what the gates cost, and each side's answer scores by kind of case.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.seeded import seeded_service, stuff_messages, stuff_service, timed_answer, timed_stream
from evals.runner import as_read
from evals.suite import Case, load_suite
from rag.config import REPO_ROOT
from rag.service import Service

#: How the stuff prompt's model says the context does not answer ("just say that you don't know").
BASELINE_REFUSAL = re.compile(
    r"\b(?:(?:don't|do not|doesn't|does not) know|not (?:mentioned|provided|stated|specified|given|available)|"
    r"no (?:information|mention)|(?:does|do) not (?:say|mention|provide|specify|state|contain|include)|"
    r"(?:cannot|can't|unable to) (?:be )?(?:determine|answer|find|say))", re.I)


@dataclass
class Side:
    """One pipeline's answer to one case, scored."""

    first_s: float
    total_s: float
    prompt_tokens: int
    refused: bool  # refused, or (ours) answered by correcting the question's premise
    gate_s: float
    key_facts: float | None  # share of the case's key facts stated (answerable cases only)
    text: str
    by_source: tuple[str, ...] = ()  # a comparative answer: how each source's row was written (model/quote/silent)


def _key_facts(service: Service, case: Case, text: str, refused: bool) -> float | None:
    if not case.answerable or not case.key_facts:
        return None
    if refused:
        return 0.0
    read = as_read(case.question, text)
    stated = [service.verifier.verify(fact, [read]).label == "supported" for fact in case.key_facts]
    return sum(stated) / len(stated)


def _run_case(ours: Service, base: Service, case: Case) -> tuple[Side, Side]:
    first, total, answer = timed_answer(ours, case.question, case.history)
    mine = Side(first, total, int(answer.usage.get("input_tokens", 0)), answer.declined,
                answer.timings.get("gate", 0.0), _key_facts(ours, case, answer.text, answer.declined), answer.text,
                tuple(r.written for r in answer.by_source))
    b_first, b_total, text, tokens = timed_stream(ours.chat_model, stuff_messages(base, answer.standalone_question))
    refused = bool(BASELINE_REFUSAL.search(text)) or not text.strip()
    theirs = Side(b_first, b_total, tokens, refused, 0.0, _key_facts(ours, case, text, refused), text)
    return mine, theirs


def _scores(sides: list[Side], cases: list[Case]) -> str:
    facts = [s.key_facts for s in sides if s.key_facts is not None]
    refusals = [s.refused != c.answerable for s, c in zip(sides, cases, strict=True)]
    unanswerable = [s.refused for s, c in zip(sides, cases, strict=True)
                    if not c.answerable and "false-premise" not in c.tags]
    premise = [s.refused for s, c in zip(sides, cases, strict=True) if "false-premise" in c.tags]
    first, total = statistics.median(s.first_s for s in sides), statistics.median(s.total_s for s in sides)
    return (f"prompt {statistics.median(s.prompt_tokens for s in sides):.0f} tok, first token {first:.2f} s, "
            f"total {total:.1f} s; "
            f"key facts {sum(facts) / max(len(facts), 1):.3f} ({len(facts)} cases), refusal accuracy "
            f"{sum(refusals) / len(refusals):.3f} (unanswerable refused {sum(unanswerable)}/{len(unanswerable)}, "
            f"false premise refused or corrected {sum(premise)}/{len(premise)}, "
            f"answerable refused {sum(s.refused for s, c in zip(sides, cases, strict=True) if c.answerable)}"
            f"/{sum(c.answerable for c in cases)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", type=Path, default=REPO_ROOT / "evals" / "suites" / "seeds.yaml")
    parser.add_argument("--limit", type=int, default=None, help="only the first N cases")
    parser.add_argument("--every", type=int, default=1, help="every K-th case (a sample spread over the suite's "
                        "kinds; ~1 min a case on 2 cores, both sides and their scoring)")
    parser.add_argument("--out", type=Path, default=None, help="also write each case's two answers as JSONL")
    args = parser.parse_args()

    cases = load_suite(args.suite).cases[: args.limit][:: max(args.every, 1)]
    with tempfile.TemporaryDirectory() as tmp:
        ours = seeded_service(Path(tmp) / "ours", llm_prompt_cache_mb=256)
        ours.warm()  # as `sourcebrief serve` does at start
        base = stuff_service(Path(tmp) / "base", ours)
        rows = []
        for number, case in enumerate(cases, start=1):
            mine, theirs = _run_case(ours, base, case)
            rows.append((case, mine, theirs))
            print(f"  {number:2d}/{len(cases)} {case.id:42.42} first token {mine.first_s:4.1f} s vs "
                  f"{theirs.first_s:4.1f} s, "
                  f"key facts {mine.key_facts if mine.key_facts is not None else '-'} vs "
                  f"{theirs.key_facts if theirs.key_facts is not None else '-'}", flush=True)
    if args.out is not None:
        with args.out.open("w", encoding="utf-8") as out:
            for case, mine, theirs in rows:
                out.write(json.dumps({"id": case.id, "ours": asdict(mine), "baseline": asdict(theirs)}) + "\n")
    mine_all, theirs_all, all_cases = [r[1] for r in rows], [r[2] for r in rows], [r[0] for r in rows]
    ratio = statistics.median(s.first_s for s in mine_all) / statistics.median(s.first_s for s in theirs_all)
    per_case = statistics.median(m.first_s / t.first_s for m, t in zip(mine_all, theirs_all, strict=True))
    print(f"suite {args.suite.name}, {len(rows)} cases, medians:")
    print(f"  ours:     {_scores(mine_all, all_cases)}")
    print(f"  baseline: {_scores(theirs_all, all_cases)}")
    print(f"ratio first token ours/baseline: {ratio:.2f} (median of per-case ratios {per_case:.2f}; target <= 0.33)")
    complete = statistics.median(s.total_s for s in mine_all) / statistics.median(s.total_s for s in theirs_all)
    print(f"ratio complete answer, ours checked / baseline unchecked: {complete:.2f} (target <= 1)")
    answerable = [s for s, c in zip(mine_all, all_cases, strict=True) if c.answerable]
    compared = [(m, t) for m, t in zip(mine_all, theirs_all, strict=True) if m.by_source]
    if compared:
        rows_written = [w for m, _ in compared for w in m.by_source]
        facts = [(m.key_facts, t.key_facts) for m, t in compared if m.key_facts is not None]
        print(f"comparative answers ({len(compared)} cases answered source by source): complete answer median "
              f"{statistics.median(m.total_s for m, _ in compared):.1f} s (target <= 30), first attributed sentence "
              f"{statistics.median(m.first_s for m, _ in compared):.2f} s (target <= 5); sources written by the "
              f"model {rows_written.count('model')}, quoted {rows_written.count('quote')}, "
              f"silent {rows_written.count('silent')}; "
              f"key facts {sum(f for f, _ in facts) / max(len(facts), 1):.3f} vs baseline "
              f"{sum(t or 0.0 for _, t in facts) / max(len(facts), 1):.3f}")
    print(f"gates before generation: median {statistics.median(s.gate_s for s in mine_all):.2f} s a case, "
          f"{statistics.median(s.gate_s for s in answerable):.2f} s on answerable cases "
          f"({statistics.median(s.gate_s / max(s.total_s, 1e-9) for s in answerable):.0%} of their total)")


if __name__ == "__main__":
    main()
