"""Real news text for benchmarks, read from inside an installed package (never copied into the repo).

gensim's wheel ships `test/test_data/lee_background.cor`: 300 ABC news articles, one per line.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from rag.ingest.sentences import split_sentences


def lee_articles() -> list[str]:
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("benchmarks need gensim's test data: `make install` installs it (dev extra)")
    path = Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data" / "lee_background.cor"
    return [line.strip() for line in path.read_text(encoding="latin-1").splitlines() if line.strip()]


def perturbed(articles: list[str], copies: int) -> list[str]:
    """`copies` variants of each article: sentence order rotated and an edition line added, so no
    two files share content (rotation alone repeats for short articles)."""
    out: list[str] = []
    for shift in range(copies):
        for text in articles:
            sentences = [s.text for s in split_sentences(text)]
            k = shift % max(len(sentences), 1)
            out.append(" ".join(sentences[k:] + sentences[:k]) + f" Edition {shift}." if shift else text)
    return out


def write_corpus(folder: Path, texts: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(texts):
        (folder / f"article_{i:05d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder
