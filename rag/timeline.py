"""Timeline questions in chat ("Give me a timeline of the events", "What is the chronology of the Lachin
blockade?"): the dated lines of every source (or the ones asked), in date order, each quoted verbatim under its
source. The 1.5B model refused such requests; dates and their order are exactly what rules read best."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rag.dates import find_dates
from rag.evidence import document_lines, spread_by_document
from rag.guard import quote_sentence, refusal_answer
from rag.retrieval import tokenize
from rag.types import AnswerGate, CitedAnswer, DocumentRecord, Evidence

__all__ = ["timeline_answer", "timeline_topic"]

_ASKS = re.compile(r"\b(?:timeline|time\s*line|chronology|chronological(?:ly)?|sequence\s+of\s+events|"
                   r"in\s+(?:what|which)\s+order)\b", re.I)
_TOPIC = re.compile(r"\b(?:of|on|about|for|around|regarding)\s+(?P<topic>[^?]+?)\s*[?.!]*\s*$", re.I)
_GENERIC = frozenset(tokenize("events event things happened what sources articles documents collection key main "
                              "important dates timeline chronology"))
_ACCORDING = re.compile(r",?\s*\b(?:according\s+to|as\s+told\s+by|per)\s+[^?,]+", re.I)  # who, not what
_MOST = 12  # events shown


def timeline_topic(question: str) -> set[str] | None:
    """None when the question asks for no timeline; else the content words of what it is a timeline of (empty
    for the whole collection: "Give me a timeline of the events in the sources.")."""
    if not _ASKS.search(question):
        return None
    found = _TOPIC.search(_ACCORDING.sub("", question))
    return {w[:5] for w in tokenize(found.group("topic")) if w not in _GENERIC} if found else set()


def _words(text: str) -> set[str]:
    """A line's words by their first five letters ("mediator" / "mediation")."""
    return {w[:5] for w in tokenize(text)}


def _distinctive(topic: set[str], lines: Sequence[set[str]]) -> set[str]:
    """The topic's rarest words among the dated lines: those at most a quarter of them use, else at most half
    ("Russia's arms exports to the region": "arms", "exports", not "Russia" or "region", which many lines
    name); all of them when every one is that common."""
    for share in (0.25, 0.5):
        rare = {w for w in topic if sum(w in line for line in lines) <= share * len(lines)}
        if rare:
            return rare
    return topic


def timeline_answer(topic: set[str], doc_ids: Sequence[str], records: Mapping[str, DocumentRecord],
                    text_of: Callable[[str], str], base: Mapping[str, Any],
                    timings: dict[str, float]) -> CitedAnswer:
    """The dated lines on the topic, earliest first (taken in turn from each source when there are more than
    `_MOST`), each quoted under its source and led by its date; a refusal when no line gives a year."""
    dated: list[tuple[str, str, Evidence]] = []  # (sort key, date as written, line), document by document
    for doc_id in doc_ids:
        if doc_id not in records:
            continue
        for line in document_lines(doc_id, records[doc_id], text_of(doc_id)):
            dates = [(when, key) for when, key in find_dates(line.text) if not key.startswith("9999")]
            if dates:
                dated.append((dates[0][1], dates[0][0], line))
    words = [_words(line.text) for *_, line in dated]
    wanted = _distinctive(topic, words)
    on_topic = [row for row, line_words in zip(dated, words, strict=True) if not topic or wanted & line_words]
    order = {doc_id: i for i, doc_id in enumerate(doc_ids)}
    on_topic.sort(key=lambda row: (order[row[2].doc_id], row[0]))  # each document's lines earliest first
    picked = sorted(spread_by_document(on_topic, lambda row: row[2].doc_id, _MOST), key=lambda row: row[0])
    lines = [line.model_copy(update={"n": i}) for i, (_, _, line) in enumerate(picked, start=1)]
    base = {**base, "evidence": tuple(lines)}
    if not lines:
        gate = AnswerGate(kind="answer-type", missing=("a date",), message="The sources give no dates for this.")
        return refusal_answer(base, timings, related=(), gate=gate)
    sentences = []
    for (_, when, _), line in zip(picked, lines, strict=True):
        quoted = quote_sentence(line, ("timeline",))
        sentences.append(quoted.model_copy(update={"text": f"{when}: {quoted.text}"}))
    return CitedAnswer(sentences=tuple(sentences), refused=False, timings=timings, **base)
