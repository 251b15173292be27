"""How ingest and query cost grow with the collection, on embedded Chroma and on a `chroma run` server.

    python benchmarks/scale.py [--sizes 10000,100000,300000] [--backends embedded,server] [--rounds 3]

Real news text (gensim's Lee corpus, read from the installed package) repeated with sentence
order perturbed until each size is reached. Stored vectors come from the deterministic hashing
embedder (384 dims, the MiniLM width) so the figures measure the store and the retrieval, not the
2-core embedding model (which adds ~70 sentences/s: `make bench-embed`). The baseline is the
smallest size in the same run; ratios show how each cost grows with size.
"""

from __future__ import annotations

import argparse
import math
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import lee_articles, perturbed, write_corpus
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.service import Service

QUERIES = ["Lavrov peace talks", "bushfires in New South Wales", "Israeli Palestinian violence", "cricket test match",
           "Taliban Afghanistan", "interest rates Reserve Bank", "United Nations Security Council", "union strike"]


def _rss_mb(pid: int | None = None) -> float:
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _server(root: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(root / "server"),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.2)
    raise SystemExit("chroma run did not start")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,300000", help="target chunk counts")
    parser.add_argument("--backends", default="embedded,server")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the queries per size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    articles = lee_articles()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for backend in args.backends.split(","):
            server, port = _server(root) if backend == "server" else (None, 0)
            try:
                base: tuple[float, float] | None = None
                for size in sizes:
                    copies = max(1, math.ceil(size / (len(articles) * 2.1)))  # ~2.1 chunks per article
                    corpus = write_corpus(root / f"corpus-{size}", perturbed(articles, copies))
                    settings = Settings(_env_file=None, data_dir=root / f"{backend}-{size}", embedding_provider="fake",
                                        llm_provider="fake", collection=f"scale{size}",
                                        chroma_host="127.0.0.1" if server else None, chroma_port=port)
                    service = Service(settings, embeddings=HashingEmbeddings(384))
                    started = time.perf_counter()
                    report = service.ingest([corpus])
                    ingest_s = time.perf_counter() - started
                    started = time.perf_counter()
                    service.retriever.search("warm up", 6)
                    index_s = time.perf_counter() - started
                    samples = []
                    for _ in range(args.rounds):
                        for query in QUERIES:
                            started = time.perf_counter()
                            service.retriever.search(query, 6)
                            samples.append(time.perf_counter() - started)
                    p50, p95 = statistics.median(samples), _p95(samples)
                    per_chunk = ingest_s / report.chunks
                    base = base or (per_chunk, p95)
                    memory = f"client RSS peak {_rss_mb():.0f} MB" + (
                        f", server RSS {_rss_mb(server.pid):.0f} MB" if server else "")
                    print(f"[{backend:8}] {report.chunks:7d} chunks: ingest {ingest_s:6.0f} s "
                          f"({report.chunks / ingest_s:5.0f} chunks/s), first query {index_s:5.1f} s, "
                          f"query p50 {p50 * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms; {memory} | vs smallest: "
                          f"ingest per chunk x{per_chunk / base[0]:.2f}, p95 x{p95 / base[1]:.2f}", flush=True)
            finally:
                if server is not None:
                    server.terminate()
                    server.wait(timeout=30)


if __name__ == "__main__":
    main()
