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
from rag.retrieval import prefixes, tokenize
from rag.types import AnswerGate, CitedAnswer, DocumentRecord, Evidence

__all__ = ["asked_date", "timeline_answer", "timeline_topic"]

_ASKS = re.compile(r"\b(?:timeline|time\s*line|chronology|chronological(?:ly)?|sequence\s+of\s+events|"
                   r"in\s+(?:what|which)\s+order)\b", re.I)
_TOPIC = re.compile(r"\b(?:of|on|about|for|around|regarding)\s+(?P<topic>[^?]+?)\s*[?.!]*\s*$", re.I)
_GENERIC = frozenset(tokenize("events event things happened what sources articles documents collection key main "
                              "important dates timeline chronology"))
_ACCORDING = re.compile(r",?\s*\b(?:according\s+to|as\s+told\s+by|per)\s+[^?,]+", re.I)  # who, not what
_MOST = 12  # events shown
_DATE_WORDS = frozenset(tokenize("day month year week date time period"))  # no subject of "what happened"
# "What happened on May 19?", "What took place in 2016?", "Which events occurred in December 2022?"
_WHAT_HAPPENED = re.compile(r"^\s*(?:what|which)\s+(?:events?\s+|things?\s+)?(?:happened|happens|took\s+place|"
                            r"occurred|went\s+on|was\s+(?:signed|agreed|decided|announced|held))\b", re.I)


def timeline_topic(question: str) -> set[str] | None:
    """None when the question asks for no timeline; else the content words of what it is a timeline of (empty
    for the whole collection: "Give me a timeline of the events in the sources.")."""
    if not _ASKS.search(question):
        return None
    found = _TOPIC.search(_ACCORDING.sub("", question))
    return {w[:5] for w in tokenize(found.group("topic")) if w not in _GENERIC} if found else set()


def asked_date(question: str) -> tuple[tuple[str, str], set[str]] | None:
    """(date as written, sort key) of a question asking what happened on one date, and the content words of
    what it asks about ("What happened to the peacekeepers in 2020?": peacekeepers); None for any other."""
    start = _WHAT_HAPPENED.match(question)
    dates = find_dates(question)
    if start is None or len(dates) != 1:
        return None
    rest = question[start.end():].replace(dates[0][0], " ")
    return dates[0], {w[:5] for w in tokenize(rest) if w not in _GENERIC and w not in _DATE_WORDS}


def _on(asked: str, key: str) -> bool:
    """Whether a line's date (sort key) is the asked one, in the parts the question gives: "May 19" is the
    text's "May 19, 2023" and its "May 19"; "2016" any date in 2016."""
    year, month, day = asked.split("-")
    have = key.split("-")
    return all(part == own for part, own, unknown in zip((year, month, day), have, ("9999", "00", "00"), strict=True)
               if part != unknown)


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
                    timings: dict[str, float], on: tuple[str, str] | None = None) -> CitedAnswer:
    """The dated lines on the topic, earliest first (taken in turn from each source when there are more than
    `_MOST`), each quoted under its source and led by its date; a refusal when no line gives a year. With `on`
    (a date as written, its sort key), the lines dated that day, month or year, a year unstated or not."""
    dated: list[tuple[str, str, Evidence]] = []  # (sort key, date as written, line), document by document
    for doc_id in doc_ids:
        if doc_id not in records:
            continue
        for line in document_lines(doc_id, records[doc_id], text_of(doc_id)):
            dates = [(when, key) for when, key in find_dates(line.text)
                     if (_on(on[1], key) if on else not key.startswith("9999"))]
            if dates:
                dated.append((dates[0][1], dates[0][0], line))
    words = [prefixes(line.text) for *_, line in dated]
    wanted = _distinctive(topic, words)
    on_topic = [row for row, line_words in zip(dated, words, strict=True) if not topic or wanted & line_words]
    order = {doc_id: i for i, doc_id in enumerate(doc_ids)}
    on_topic.sort(key=lambda row: (order[row[2].doc_id], row[0]))  # each document's lines earliest first
    picked = sorted(spread_by_document(on_topic, lambda row: row[2].doc_id, _MOST), key=lambda row: row[0])
    lines = [line.model_copy(update={"n": i}) for i, (_, _, line) in enumerate(picked, start=1)]
    base = {**base, "evidence": tuple(lines)}
    if not lines:
        message = (f"The sources report nothing dated {on[0]}{' on this' if topic else ''}." if on
                   else "The sources give no dates for this.")
        gate = AnswerGate(kind="answer-type", missing=(on[0] if on else "a date",), message=message)
        return refusal_answer(base, timings, related=(), gate=gate)
    sentences = []
    for (_, when, _), line in zip(picked, lines, strict=True):
        quoted = quote_sentence(line, ("timeline",))
        sentences.append(quoted.model_copy(update={"text": f"{when}: {quoted.text}"}))
    return CitedAnswer(sentences=tuple(sentences), refused=False, timings=timings, **base)
