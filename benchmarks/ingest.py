"""Ingest throughput against raw embedding throughput of the same model, in the same run.

    python benchmarks/ingest.py [--copies 3] [--repeat 3]

The figure is the ratio pipeline/raw (target >= 0.8): what loading, cleaning, chunking and
writing to Chroma cost on top of embedding. Also times a no-change re-ingest of the corpus and
of the seeds (target < 1 s after start-up). Prints medians over --repeat runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import lee_articles, perturbed, write_corpus
from rag.config import REPO_ROOT, Settings
from rag.ingest.chunk import chunk_text
from rag.ingest.clean import clean_text
from rag.providers import make_embeddings
from rag.service import Service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=1, help="perturbed copies of the 300 Lee articles")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        articles = perturbed(lee_articles(), args.copies)
        corpus = write_corpus(root / "corpus", articles)
        base = Settings(_env_file=None, data_dir=root / "data", chroma_host=None)
        started = time.perf_counter()
        embeddings = make_embeddings(base)
        load_s = time.perf_counter() - started
        unique = dict.fromkeys(p.read_text(encoding="utf-8") for p in sorted(corpus.iterdir()))  # as stored
        texts = [c.text for text in unique
                 for c in chunk_text("x", clean_text(text).text, base.chunk_size, base.chunk_overlap)]
        embeddings.embed_documents(texts[:64])  # warm-up

        raw, pipe = [], []
        for run in range(args.repeat):
            started = time.perf_counter()
            embeddings.embed_documents(texts)
            raw.append(len(texts) / (time.perf_counter() - started))
            service = Service(base.model_copy(update={"collection": f"bench{run}"}), embeddings=embeddings)
            started = time.perf_counter()
            report = service.ingest([corpus])
            pipe.append(report.embedded_chunks / (time.perf_counter() - started))
            assert report.chunks == len(texts), (report.chunks, len(texts))

        started = time.perf_counter()
        again = service.ingest([corpus])
        corpus_noop_s = time.perf_counter() - started
        assert again.embedded_chunks == 0

        seeds = Service(base.model_copy(update={"collection": "seeds"}), embeddings=embeddings)
        seeds.ingest([REPO_ROOT / "seeds"])
        noop = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            assert seeds.ingest([REPO_ROOT / "seeds"]).embedded_chunks == 0
            noop.append(time.perf_counter() - started)

    raw_m, pipe_m = statistics.median(raw), statistics.median(pipe)
    print(f"embedding model: {type(embeddings).__name__} (load {load_s:.2f} s)")
    print(f"corpus: {len(articles)} files ({len(unique)} distinct), {len(texts)} chunks "
          f"(chunk_size {base.chunk_size}, overlap {base.chunk_overlap})")
    print(f"raw embedding       : {raw_m:7.1f} chunks/s  (runs: {', '.join(f'{x:.1f}' for x in raw)})")
    print(f"ingest pipeline     : {pipe_m:7.1f} chunks/s  (runs: {', '.join(f'{x:.1f}' for x in pipe)})")
    print(f"ratio pipeline/raw  : {pipe_m / raw_m:7.2f}   (target >= 0.80)")
    print(f"no-change re-ingest : corpus {corpus_noop_s:.2f} s; seeds median {statistics.median(noop):.3f} s "
          f"(target < 1 s)")


if __name__ == "__main__":
    main()
