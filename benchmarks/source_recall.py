"""Per-source evidence recall: on comparative questions, is each key fact's sentence among the lines a source
is heard with?

    python benchmarks/source_recall.py [--suite evals/suites/seeds.yaml] [--variant NAME ...] [--misses]

With the embedded model a comparative answer is each source's best lines quoted (`compare_budget_s` 0), so the
key facts of the suite's multi-source and stance cases can only be as good as `rag.compare.per_source_evidence`.
No model is called; every variant runs on the same store in the same run:
- `current`: the app's selection (each document's 4 best chunks for the question, its 2 best lines, 1,600
  characters in all, a source's first line always);
- `chunks8`: each document's 8 best chunks searched;
- `per3`, `per3-2400`: 3 lines a source, within the same budget or 2,400 characters.

A key fact's sentence is found as in `benchmarks/evidence_recall.py` (the line of an expected source using at
least 0.6 of the fact's content words), with the fact's own attribution ("Chalenko says ...") left out.
Prints recall over the counted facts (all, stance, the holdout-23 cases written after the last tuning), the
share of expected sources heard, the median characters of evidence per question, and each variant's ratio
to the first.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_recall import SeededChain, fact_lines, shown, variant_args
from evals.suite import load_suite
from rag.compare import per_source_evidence
from rag.gates import is_comparative
from rag.retrieval import spelled_out

VARIANTS: dict[str, dict[str, Any]] = {
    "current": {},
    "chunks8": {"chunks_per_source": 8},
    "per3": {"per_source": 3},
    "per3-2400": {"per_source": 3, "max_chars": 2400},
}

_SAYS = re.compile(r"^(?:according to [^,]+, |[A-Z][\w.'’ -]{0,40}? (?:says|said|writes|reports|argues)(?: that)? )",
                   re.I)


def unattributed(fact: str) -> str:
    """A key fact without its attribution: "Chalenko says Moscow ..." -> "Moscow ..."."""
    return _SAYS.sub("", fact, count=1)


def main() -> None:
    args = variant_args(__doc__, list(VARIANTS))
    variants = args.variant or list(VARIANTS)
    suite = load_suite(args.suite)
    with tempfile.TemporaryDirectory() as tmp:
        seeded = SeededChain(Path(tmp))
        chain, records, by_file, titles = seeded.chain, seeded.records, seeded.by_file, seeded.titles
        options = chain.options
        found: dict[str, dict[str, list[bool]]] = {v: {} for v in variants}
        heard: dict[str, list[float]] = {v: [] for v in variants}
        chars: dict[str, list[int]] = {v: [] for v in variants}
        counted = skipped = cases = 0
        misses: list[str] = []
        for case in suite.cases:
            if case.history or not case.answerable or not case.key_facts or not is_comparative(case.question):
                continue
            cases += 1
            texts = {by_file[f]: chain._doc_text(by_file[f]) for f in case.expected_sources if f in by_file}
            lines = [fact_lines(unattributed(fact), texts) for fact in case.key_facts]
            skipped += sum(not found_lines for found_lines in lines)
            facts = [(fact, found_lines) for fact, found_lines in zip(case.key_facts, lines, strict=True)
                     if found_lines]
            counted += len(facts)
            query = spelled_out(case.question)  # as the app searches it ("EU (European Union)")
            vector = chain.embeddings.embed_query(query)
            hits = chain.retriever.search(query, options.k, None, titles, query_vector=vector)
            for name in variants:
                kwargs = {"max_chars": options.max_chars, **VARIANTS[name]}
                evidence, _silent = per_source_evidence(
                    query, hits, chain.retriever, chain.embeddings, records, doc_ids=None,
                    min_score=options.min_evidence_score, text_of=chain._doc_text,
                    vectors=chain.sentence_vectors, query_vector=vector, **kwargs)
                chars[name].append(sum(len(e.reading) for e in evidence))
                expected = set(texts)
                heard[name].append(len(expected & {e.doc_id for e in evidence}) / len(expected) if expected else 1.0)
                ok = [any(shown(line, evidence) for line in found_lines) for _fact, found_lines in facts]
                if args.misses and name == variants[-1]:
                    misses += [f"{case.id}: {fact}" for (fact, _), hit in zip(facts, ok, strict=True) if not hit]
                for tag in ("all", "stance", "holdout-23"):
                    if tag == "all" or tag in case.tags:
                        found[name].setdefault(tag, []).extend(ok)
    base = variants[0]

    def share(name: str, tag: str) -> float:
        values = found[name].get(tag, [])
        return sum(values) / len(values) if values else float("nan")

    print(f"per-source evidence recall on {args.suite.name}: {cases} comparative cases, {counted} key facts with a "
          f"plain sentence ({skipped} without one, not counted)")
    print(f"{'variant':<10} {'all':>6} {'stance':>7} {'hold-23':>8} {'heard':>6} {'chars':>6} "
          f"{'recall/' + base:>12} {'chars/' + base:>11}")
    for name in variants:
        median = statistics.median(chars[name])
        print(f"{name:<10} {share(name, 'all'):>6.3f} {share(name, 'stance'):>7.3f} {share(name, 'holdout-23'):>8.3f} "
              f"{statistics.mean(heard[name]):>6.3f} {median:>6.0f} {share(name, 'all') / share(base, 'all'):>12.2f} "
              f"{median / statistics.median(chars[base]):>11.2f}")
    for miss in misses:
        print("not shown:", miss)


if __name__ == "__main__":
    main()
