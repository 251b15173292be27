"""Sentence splitting time per MB from 100 kB to 10 MB: flat when splitting is linear.

    python benchmarks/split.py [--sizes 100000,1000000,10000000]

The text is the seed articles repeated to size (real news sentences, abbreviations and initials
included). The baseline, measured in the same run, is the smallest size: the ratio of each size's
seconds per MB to it should stay near 1 (it was ~250 at 640 kB when a regex scanned the text before
every candidate boundary).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import REPO_ROOT
from rag.ingest.sentences import split_sentences


def _text(size: int) -> str:
    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "seeds").glob("*.txt")))
    return (seeds * (size // len(seeds) + 1))[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = None
    for size in (int(s) for s in args.sizes.split(",")):
        text = _text(size)
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            count = len(split_sentences(text))
            runs.append(time.perf_counter() - started)
        per_mb = statistics.median(runs) / (size / 1e6)
        base = base or per_mb
        print(f"{size / 1e6:6.1f} MB: {count:7d} sentences, median {statistics.median(runs):6.2f} s, "
              f"{per_mb:5.2f} s/MB, ratio to the smallest {per_mb / base:4.2f}")


if __name__ == "__main__":
    main()
