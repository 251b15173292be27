"""Embedding speed of the local backends on real news sentences: onnx (int8, torch-free) vs torch.

    python benchmarks/embed.py [--sentences 500] [--repeat 3]

Prints sentences/s (median of --repeat) for each backend that is installed, the ratio
onnx/torch, and the cosine agreement of their vectors. torch is optional: `pip install -e .[torch]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import lee_articles
from rag.embeddings import OnnxMiniLM, TorchMiniLM
from rag.errors import ModelError
from rag.ingest.sentences import split_sentences


def _speed(model: object, texts: list[str], repeat: int) -> float:
    model.embed_documents(texts[:32])  # type: ignore[attr-defined]
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        model.embed_documents(texts)  # type: ignore[attr-defined]
        runs.append(len(texts) / (time.perf_counter() - started))
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    texts = [s.text for a in lee_articles() for s in split_sentences(a)][: args.sentences]

    started = time.perf_counter()
    onnx = OnnxMiniLM(threads=args.threads)
    load = time.perf_counter() - started
    onnx_speed = _speed(onnx, texts, args.repeat)
    print(f"onnx int8 : load {load:.2f} s, {onnx_speed:6.1f} sentences/s")
    try:
        started = time.perf_counter()
        torch_model = TorchMiniLM(threads=args.threads)
    except ModelError as exc:
        print(f"torch     : not installed ({exc})")
        return
    load = time.perf_counter() - started
    torch_speed = _speed(torch_model, texts, args.repeat)
    print(f"torch     : load {load:.2f} s, {torch_speed:6.1f} sentences/s")
    print(f"ratio onnx/torch: {onnx_speed / torch_speed:.2f}")
    a = onnx.embed_documents(texts[:200])
    b = torch_model.embed_documents(texts[:200])
    cosines = [sum(x * y for x, y in zip(u, v, strict=True)) for u, v in zip(a, b, strict=True)]
    print(f"vector agreement (cosine onnx vs torch): median {statistics.median(cosines):.4f}, min {min(cosines):.4f}")


if __name__ == "__main__":
    main()
