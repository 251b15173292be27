"""Many notebooks on one Chroma server: does opening one and answering cost more than with a single notebook?

    python benchmarks/notebooks.py [--notebooks 100] [--chunks 1000] [--rounds 10]

One `chroma run` server. First it holds one notebook of ~`--chunks` chunks (real news text from gensim's Lee
corpus, read from the installed package); then `--notebooks - 1` more of the same size are added. Each time, a
fresh process-like service (new client, no index built) opens a notebook by name and answers a question; the
time of that (registry look-up, collection open, the notebook's BM25 index built, retrieval, evidence, the
answer) is measured `--rounds` times, over different notebooks in the second phase. Stored and query vectors
come from the hashing embedder and the answer from the scripted model (`llm_provider=fake`), so the figures
measure the store and the notebook machinery, not the 2-core models. Prints the medians and their ratio.
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
from benchmarks.scale import _rss_mb, _server
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.service import Service

QUESTION = "What did the Reserve Bank say about interest rates?"


def _open_and_answer(settings: Settings, name: str) -> float:
    started = time.perf_counter()
    root = Service(settings, embeddings=HashingEmbeddings(384))
    book = root.for_notebook(name)
    answer = book.ask(QUESTION, verify="off")
    elapsed = time.perf_counter() - started
    assert answer.sentences, "no answer"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=int, default=100)
    parser.add_argument("--chunks", type=int, default=1000, help="about this many chunks per notebook")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    articles = lee_articles()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server, port = _server(root)
        try:
            settings = Settings(_env_file=None, data_dir=root / "data", embedding_provider="fake", llm_provider="fake",
                                collection="bench", chroma_host="127.0.0.1", chroma_port=port, verify_mode="off")
            service = Service(settings, embeddings=HashingEmbeddings(384))
            copies = max(1, math.ceil(args.chunks / (len(articles) * 2.1)))  # ~2.1 chunks per article
            texts = perturbed(articles, copies)[:max(1, round(args.chunks / 2.1))]

            def add(i: int) -> int:
                book = service.for_notebook(service.notebooks.create(f"story {i:03d}").id)
                corpus = write_corpus(root / f"corpus-{i}", [f"{t} Notebook {i}." for t in texts])
                return book.ingest([corpus]).chunks

            started = time.perf_counter()
            chunks = add(0)
            print(f"notebook 'story 000': {chunks} chunks ({time.perf_counter() - started:.0f} s to ingest)",
                  flush=True)
            single = [_open_and_answer(settings, "story 000") for _ in range(args.rounds)]
            started = time.perf_counter()
            total = chunks + sum(add(i) for i in range(1, args.notebooks))
            print(f"{args.notebooks} notebooks, {total} chunks on the server ({time.perf_counter() - started:.0f} s "
                  f"to ingest the rest); server RSS {_rss_mb(server.pid):.0f} MB", flush=True)
            step = max(1, args.notebooks // args.rounds)
            many = [_open_and_answer(settings, f"story {(i * step) % args.notebooks:03d}") for i in range(args.rounds)]
            one, all_ = statistics.median(single), statistics.median(many)
            print(f"open a notebook and answer: median {one * 1000:.0f} ms with 1 notebook on the server, "
                  f"{all_ * 1000:.0f} ms with {args.notebooks} (ratio {all_ / one:.2f}; "
                  f"p90 {sorted(single)[int(0.9 * (len(single) - 1))] * 1000:.0f} / "
                  f"{sorted(many)[int(0.9 * (len(many) - 1))] * 1000:.0f} ms)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
