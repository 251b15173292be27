"""Answer latency and cost against the plain LangChain recipe, measured in the same run.

    python benchmarks/answer.py [--questions 5] [--scale-chunks 50000] [--skip-llm]

1. Retrieval latency (hybrid search) p50/p95 on the seeds and on >= 50,000 chunks of real news
   text (gensim's Lee corpus, repeated with sentence order perturbed). At scale, stored chunk
   vectors come from the deterministic hashing embedder (embedding 50k chunks with MiniLM on
   2 cores takes ~10 min); the query is still embedded by the real model, so latency is real.
2. With the embedded model: prompt tokens, time to first token and total time of our answer
   (evidence sentences) vs the baseline: top-4 chunks of 1,000 characters stuffed into one
   prompt (LangChain's classic "stuff" QA recipe). Each call starts from an empty live KV cache;
   the saved prompt-prefix states stay, as in a running app (the first question is cold for
   both sides), and the BM25 index and sentence vectors are built ahead as `sourcebrief serve`
   does at start (`--cold`: no prefix cache, nothing built ahead). Answers are scored by the key
   facts they state.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import lee_articles, perturbed, write_corpus
from benchmarks.seeded import seeded_service, stuff_messages, stuff_service, timed_answer, timed_stream
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.service import Service

QUESTIONS = [  # (question, key facts a correct answer states)
    ("According to SIPRI, what share of Armenia's arms imports came from Russia?", ["94"]),
    ("How many troops did Russia deploy after the 2020 war, according to Igor Chalenko?", ["2000"]),
    ("What did Galuzin say about Russia's role in the dialogue between Armenia and Azerbaijan?", ["alternative"]),
    ("When did Azerbaijan block the Lachin crossing, according to Alwaght?", ["December 2022"]),
    ("What areas did Baku and Yerevan recognise at the May 19 meeting in Moscow?", ["86,000", "29,000"]),
]
SEARCHES = [q for q, _ in QUESTIONS] + [
    "Zakharova CSTO fake monitors", "Lavrov confidence-building measures", "Zangezor corridor Iran",
    "United States undermine Russia mediation", "Turkey support for Azerbaijan", "Blinken Washington meeting",
]


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms"


def _search_latency(service: Service, rounds: int) -> list[float]:
    service.retriever.search("warm up", 6)
    samples = []
    for _ in range(rounds):
        for query in SEARCHES:
            started = time.perf_counter()
            service.retriever.search(query, service.settings.top_k)
            samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=5, help="questions answered by each pipeline")
    parser.add_argument("--scale-chunks", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the search queries")
    parser.add_argument("--skip-llm", action="store_true", help="retrieval latency only")
    parser.add_argument("--cold", action="store_true", help="no prompt-prefix cache: every prompt read in full")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ours = seeded_service(root / "ours", llm_prompt_cache_mb=0 if args.cold else 256)
        if not args.cold:  # what `sourcebrief serve` does at start: BM25 index and sentence vectors
            ours.warm()
        print(f"retrieval, seeds ({ours.store.count_chunks()} chunks): "
              f"{_percentiles(_search_latency(ours, args.rounds))}")

        articles = lee_articles()
        copies = max(1, math.ceil(args.scale_chunks / (len(articles) * 2.1)))  # ~2.1 chunks per article
        corpus = write_corpus(root / "scale", perturbed(articles, copies))
        big = Service(Settings(_env_file=None, data_dir=root / "big", chroma_host=None, collection="scale",
                               embedding_provider="fake"), embeddings=HashingEmbeddings(384))
        started = time.perf_counter()
        report = big.ingest([corpus])
        build = time.perf_counter() - started
        big.retriever.embeddings = ours.embeddings  # real query embedding time
        started = time.perf_counter()
        big.retriever.search("warm up the BM25 index", 6)
        print(f"retrieval, scale ({report.chunks} chunks, ingest {build:.0f} s, BM25 build "
              f"{time.perf_counter() - started:.1f} s): {_percentiles(_search_latency(big, args.rounds))} "
              "(target p95 < 50 ms)")
        if args.skip_llm:
            return

        base = stuff_service(root / "base", ours)
        rows = []
        verify_s: list[tuple[int, float]] = []
        for question, facts in QUESTIONS[: args.questions]:
            first, total, answer = timed_answer(ours, question)
            ours_row = (first, total, answer.text, answer.usage.get("input_tokens", 0))
            verify_s.append((len(answer.sentences), answer.timings.get("verify", 0.0)))
            base_row = timed_stream(ours.chat_model, stuff_messages(base, question))
            rows.append((question, facts, ours_row, base_row))
            for name, row in (("ours", ours_row), ("baseline", base_row)):
                ok = all(f.lower() in row[2].lower() for f in facts)
                print(f"  [{name:8}] prompt {row[3]:4d} tok, first token {row[0]:5.1f} s, total {row[1]:5.1f} s, "
                      f"facts {'yes' if ok else 'no '} | {row[2][:90]!r}")

    def med(side: int, field: int) -> float:
        return statistics.median(r[side][field] for r in rows)

    facts_ok = [sum(all(f.lower() in r[side][2].lower() for f in r[1]) for r in rows) for side in (2, 3)]
    print(f"answers ({len(rows)} questions, medians): ours prompt {med(2, 3):.0f} tok, first token {med(2, 0):.1f} s, "
          f"total {med(2, 1):.1f} s; baseline prompt {med(3, 3):.0f} tok, first token {med(3, 0):.1f} s, "
          f"total {med(3, 1):.1f} s")
    print("verification (annotate) per answer: " + ", ".join(f"{n} sentences in {t:.1f} s" for n, t in verify_s)
          + " (target: 4-6 sentences < 10 s)")
    print(f"ratio first token ours/baseline: {med(2, 0) / med(3, 0):.2f} (target <= 0.33); "
          f"key facts stated: ours {facts_ok[0]}/{len(rows)}, baseline {facts_ok[1]}/{len(rows)}")


if __name__ == "__main__":
    main()
