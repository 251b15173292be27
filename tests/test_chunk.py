"""Chunks are exact spans of the cleaned text, sentence-aligned, overlapping, content-addressed."""

from __future__ import annotations

import itertools
import random

import pytest

from rag.ingest.chunk import chunk_text
from rag.ingest.clean import clean_text
from rag.ingest.sentences import split_sentences
from tests.conftest import SEEDS


@pytest.mark.parametrize("path", sorted(SEEDS.iterdir()), ids=lambda p: p.name)
def test_chunk_text_is_the_cleaned_span(path) -> None:
    cleaned = clean_text(path.read_text(encoding="utf-8")).text
    chunks = chunk_text("doc", cleaned, 800, 160)
    assert chunks
    for i, chunk in enumerate(chunks):
        assert chunk.text == cleaned[chunk.start:chunk.end]
        assert chunk.index == i
        assert len(chunk.text) <= 800
    # Every sentence is inside some chunk: nothing is lost between chunks.
    for sent in split_sentences(cleaned):
        assert any(c.start <= sent.start and sent.end <= c.end for c in chunks), sent.text


def test_chunks_overlap_and_advance() -> None:
    text = " ".join(f"Sentence number {i} says something about item {i}." for i in range(60))
    chunks = chunk_text("d", text, 300, 100)
    assert len(chunks) >= 5  # ~3,300 characters in 300-character chunks: the loop below has pairs to check
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.start > prev.start
        assert nxt.start < prev.end, "consecutive chunks should share trailing sentences"


def test_random_texts_keep_offsets() -> None:
    rng = random.Random(7)
    words = ["Moscow", "said", "U.S.", "Dr.", "peace", "talks", "2020.", "Why?", "\n", "Yes!", "a", "the"]
    checked = 0
    for _ in range(50):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 400)))
        for chunk in chunk_text("d", text, rng.randint(100, 400), 50):
            assert chunk.text == text[chunk.start:chunk.end]
            checked += 1
    assert checked >= 50


def test_chunk_ids_derive_from_content() -> None:
    text = "One fact here. Another fact there. " * 30
    first = [c.id for c in chunk_text("d1", text, 200, 50)]
    assert first == [c.id for c in chunk_text("d1", text, 200, 50)]
    assert set(first).isdisjoint(c.id for c in chunk_text("d2", text, 200, 50))


def test_sentences_respect_abbreviations() -> None:
    text = "The U.S. State Department spoke. Mr. Blinken met them in Washington D.C. on May 1. Done."
    assert [s.text for s in split_sentences(text)] == [
        "The U.S. State Department spoke.", "Mr. Blinken met them in Washington D.C. on May 1.", "Done."]


def test_sentences_joined_without_a_space_are_split() -> None:
    text = 'It may allow EU boats in.Fishing regions voted to leave."We are worried," he said.The U.S.Army agreed.'
    assert [s.text for s in split_sentences(text)] == [
        "It may allow EU boats in.", 'Fishing regions voted to leave."', 'We are worried," he said.',
        "The U.S.Army agreed."]


def test_overlong_sentence_is_cut_at_words() -> None:
    text = "word " * 500
    chunks = chunk_text("d", text.strip(), 200, 50)
    assert len(chunks) >= 10
    assert all(len(c.text) <= 200 for c in chunks)
    assert all(c.text == text.strip()[c.start:c.end] for c in chunks)


def test_sentence_splitting_is_not_quadratic() -> None:
    """1 MB takes about ten times as long as 100 kB (a quadratic splitter: a hundred times)."""
    import time

    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    small, large = (seeds * 30)[:100_000], (seeds * 300)[:1_000_000]

    def seconds(text: str) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            split_sentences(text)
            best = min(best, time.perf_counter() - started)
        return best

    assert seconds(large) / seconds(small) < 30
