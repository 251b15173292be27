"""Sentence splitting that keeps character offsets, so every sentence is `text[start:end]`."""

from __future__ import annotations

import re

from rag.types import Sentence

__all__ = ["split_sentences"]

# Tokens ending in a period that do not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "gov",
    "sen", "rep", "pres", "vs", "etc", "no", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "dept", "est", "fig", "al",
}
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace; or,
# after a lower-case word, straight before a capitalised one ("a deal.Fishing regions", as scraped
# text often joins its sentences).
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)|(?<=[a-z\]])[.!?]+[\"'”’)\]]*(?=[\"“‘]?[A-Z][a-z])")
_LINE_BREAK = re.compile(r"\n+")


def _is_false_boundary(text: str, end: int) -> bool:
    """True when the period at text[end-1] belongs to an abbreviation or an initial (U.S., J.)."""
    if text[end - 1] != ".":
        return False
    # The word before the period, found by scanning back to the previous whitespace: a regex over
    # text[:end - 1] at every candidate boundary made splitting quadratic in the text's length.
    begin = end - 1
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    word = text[begin:end - 1]
    if not word:
        return False
    stripped = word.lstrip("(\"'“‘")
    if stripped.lower() in _ABBREVIATIONS:
        return True
    # Initials and dotted acronyms ("J.", "U.S.", "D.C.") rarely end a sentence in news text.
    return re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", stripped) is not None


def _split_line(text: str, start: int, end: int) -> list[Sentence]:
    sentences: list[Sentence] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end()
        if _is_false_boundary(text, match.start() + len(match.group(0).rstrip("\"'”’)]"))):
            continue
        sentences.extend(_make(text, cursor, stop))
        cursor = stop
    sentences.extend(_make(text, cursor, end))
    return sentences


def _make(text: str, start: int, end: int) -> list[Sentence]:
    """A sentence for text[start:end] with surrounding whitespace trimmed; none if blank."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return []
    return [Sentence(start=start, end=end, text=text[start:end])]


def split_sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences; line breaks always end a sentence (headings, list items)."""
    sentences: list[Sentence] = []
    cursor = 0
    for match in _LINE_BREAK.finditer(text):
        sentences.extend(_split_line(text, cursor, match.start()))
        cursor = match.end()
    sentences.extend(_split_line(text, cursor, len(text)))
    return sentences
