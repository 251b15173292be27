"""Evidence recall: is the sentence that states each key fact among the evidence the model is shown?

    python benchmarks/evidence_recall.py [--suite evals/suites/seeds.yaml] [--variant NAME ...]

No model is called, so it runs in seconds and every variant of the selection is measured in the same run
on the same retrieved chunks:
- `alone`: sentences scored alone, prose only (the selection before issue 22);
- `refer-back`: a sentence that names its subject through the one before it is scored with it and brings it;
- `structure`: and table rows read with their header, list items with their heading;
- `parts`: and each part of the question, without its source designations ("according to Alwaght", "in
  the piece about ..."), gets its best line kept first;
- `current`: and the query spells out common acronyms ("EU (European Union)"), and a question asked of one
  source ("according to Alwaght", "What does Chalenko say ...") searches that source's documents (the app's
  selection).

A key fact's sentence is the line of an expected source (a table row or list item read with its header)
that uses the largest share of the fact's content words, when that share is at least 0.6; facts no line
states that plainly (paraphrases, facts spread over sentences) are not counted, and the count is printed.
Follow-up cases are skipped (their stand-alone question needs the model), and so are comparative ones (the
app answers them source by source, `rag.compare`). Prints, per variant, evidence
recall over the counted facts (all, single-source, multi-part, the holdout-22 cases), the median evidence
characters per question (the prompt's cost), and the ratio of each to `alone`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.seeded import seeded_service
from evals.suite import load_suite
from rag.compare import designated_documents
from rag.config import REPO_ROOT
from rag.evidence import select_evidence
from rag.gates import is_comparative
from rag.ingest.sentences import split_sentences
from rag.parts import evidence_parts
from rag.retrieval import spelled_out
from rag.structure import line_contexts, read_with
from rag.types import Evidence
from rag.verify.signals import word_coverage

_PLAIN = 0.6  # share of a fact's words a line must use to be "the fact's sentence"

VARIANTS: dict[str, dict[str, bool]] = {
    "alone": {"structure": False, "refer_back": False, "parts": False, "asked": False},
    "refer-back": {"structure": False, "refer_back": True, "parts": False, "asked": False},
    "structure": {"structure": True, "refer_back": True, "parts": False, "asked": False},
    "parts": {"structure": True, "refer_back": True, "parts": True, "asked": False},
    "current": {"structure": True, "refer_back": True, "parts": True, "asked": True},
}


def fact_lines(fact: str, texts: dict[str, str]) -> list[tuple[str, int, int]]:
    """The lines (document, start, end) that state a fact most plainly, if any uses 0.6 of its words."""
    best: list[tuple[str, int, int]] = []
    top = _PLAIN
    for doc_id, text in texts.items():
        sentences = split_sentences(text)
        contexts = line_contexts(text, sentences)
        for i, sentence in enumerate(sentences):
            share = word_coverage(fact, read_with(sentence.text, contexts.get(i, "")))
            if share > top + 1e-9:
                best, top = [(doc_id, sentence.start, sentence.end)], share
            elif abs(share - top) <= 1e-9:
                best.append((doc_id, sentence.start, sentence.end))
    return best


def shown(line: tuple[str, int, int], evidence: list[Evidence]) -> bool:
    doc_id, start, end = line
    return any(e.doc_id == doc_id and e.start < end and start < e.end for e in evidence)


def variant_args(doc: str, variants: list[str]) -> argparse.Namespace:
    """The evidence benchmarks' options: the suite, the variants to run, whether to list the misses."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=REPO_ROOT / "evals" / "suites" / "seeds.yaml")
    parser.add_argument("--variant", action="append", choices=variants, help="default: all")
    parser.add_argument("--misses", action="store_true", help="list the facts the last variant does not show")
    return parser.parse_args()


class SeededChain:
    """The app's answer chain over the seeds in a fresh store, and its documents by id and file name."""

    def __init__(self, data_dir: Path) -> None:
        self.chain = seeded_service(data_dir).answer_chain
        self.records = {r.id: r for r in self.chain.store.list_documents()}
        self.by_file = {r.file_name: r.id for r in self.records.values()}
        self.titles = {r.id: (r.file_name, r.title) for r in self.records.values()}


def main() -> None:
    args = variant_args(__doc__, list(VARIANTS))
    variants = args.variant or list(VARIANTS)
    suite = load_suite(args.suite)
    with tempfile.TemporaryDirectory() as tmp:
        seeded = SeededChain(Path(tmp))
        chain, records, by_file, titles = seeded.chain, seeded.records, seeded.by_file, seeded.titles
        options = chain.options
        found: dict[str, dict[str, list[bool]]] = {v: {} for v in variants}
        chars: dict[str, list[int]] = {v: [] for v in variants}
        counted = skipped = 0
        misses: list[str] = []
        for case in suite.cases:
            if case.history or not case.answerable or not case.key_facts or is_comparative(case.question):
                continue
            texts = {by_file[f]: chain._doc_text(by_file[f]) for f in case.expected_sources if f in by_file}
            lines = [fact_lines(fact, texts) for fact in case.key_facts]
            skipped += sum(not found_lines for found_lines in lines)
            lines = [found_lines for found_lines in lines if found_lines]
            counted += len(lines)
            searched = {}
            for asked in (False, True):  # the question as written, over all documents; and as the app searches it
                query = spelled_out(case.question) if asked else case.question
                ids = designated_documents(case.question, records) if asked else None
                vector = chain.embeddings.embed_query(query)
                searched[asked] = query, vector, chain.retriever.search(query, options.k, ids or None, titles,
                                                                        query_vector=vector)
            for name in variants:
                flags = VARIANTS[name]
                query, vector, hits = searched[flags["asked"]]
                select: Callable[..., list[Evidence]] = select_evidence
                evidence = select(query, hits, chain.embeddings, records, max_sentences=options.max_sentences,
                                  max_chars=options.max_chars, min_sentences=options.min_sentences,
                                  margin=options.score_margin, vectors=chain.sentence_vectors, query_vector=vector,
                                  parts=evidence_parts(query) if flags["parts"] else (),
                                  structure=flags["structure"], refer_back=flags["refer_back"])
                chars[name].append(sum(len(e.reading) for e in evidence))
                hits_of_case = [any(shown(line, evidence) for line in fact) for fact in lines]
                if args.misses and name == variants[-1]:
                    misses += [f"{case.id}: {fact}" for fact, ok in zip(case.key_facts, hits_of_case, strict=False)
                               if not ok]
                for tag in ("all", "single-source", "multi-part", "holdout-22"):
                    if tag == "all" or tag in case.tags:
                        found[name].setdefault(tag, []).extend(hits_of_case)
    base = variants[0]
    print(f"evidence recall on {args.suite.name}: {counted} key facts with a plain sentence "
          f"({skipped} without one, not counted); follow-ups skipped")
    print(f"{'variant':<12} {'all':>6} {'single':>7} {'m-part':>6} {'hold-22':>8} {'chars':>6} "
          f"{'recall/' + base:>14} {'chars/' + base:>12}")
    for name in variants:
        share = {tag: sum(v) / len(v) if v else float("nan") for tag, v in found[name].items()}
        median = statistics.median(chars[name])
        print(f"{name:<12} {share['all']:>6.3f} {share.get('single-source', float('nan')):>7.3f} "
              f"{share.get('multi-part', float('nan')):>6.3f} {share.get('holdout-22', float('nan')):>8.3f} "
              f"{median:>6.0f} {share['all'] / (sum(found[base]['all']) / len(found[base]['all'])):>14.2f} "
              f"{median / statistics.median(chars[base]):>12.2f}")
    for miss in misses:
        print("not shown:", miss)


if __name__ == "__main__":
    main()
