"""'Who said ...?' questions ("Who said Russia's role has no alternative?", "Who called the EU monitors
fake?"): the lines of every source that state what the question quotes, each quoted verbatim with the line
that names its speaker when the line itself only says "he" or "the Russian FM spox". The 1.5B model answered
the probes with a bare "According to the article ..." and nothing after; finding the words is what rules do
best, and the speaker is in the quoted text for the reader to see."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rag.evidence import document_lines, headline_evidence, spread_by_document
from rag.guard import quote_sentence
from rag.retrieval import prefixes, spelled_out
from rag.speakers import find_speakers
from rag.types import CitedAnswer, DocumentRecord, Evidence

__all__ = ["said_statement", "who_said_answer"]

_WHO_SAID = re.compile(r"^\s*(?:and\s+)?who\s+(?:first\s+|has\s+|had\s+)?(?:said|says|stated|claimed|called|"
                       r"described|wrote|argued|warned|declared|noted|suggested|insisted|remarked|emphasi[sz]ed|"
                       r"referred\s+to|dubbed|labell?ed)\s+(?:that\s+)?(?P<what>[^?]+?)\s*[?.!]*\s*$", re.I)
_MIN_SHARE = 0.7  # of the statement's words a line must use
_MOST = 3  # lines quoted


def said_statement(question: str) -> str | None:
    """What a 'who said ...?' question quotes, when it quotes something of two content words or more."""
    match = _WHO_SAID.match(question)
    if match is None or re.match(r"what\b", match.group("what"), re.I):  # "Who said what?" compares sources
        return None
    return match.group("what") if len(_words(match.group("what"))) >= 2 else None


def _words(text: str) -> set[str]:
    """Content words by their first five letters ("monitors" / "monitor"), acronyms spelled out too."""
    return prefixes(spelled_out(text))


def _stating(statement: str, lines: Sequence[Evidence]) -> list[tuple[float, Evidence]]:
    words = _words(statement)
    scored = [(len(words & _words(e.text)) / len(words), e) for e in lines]
    return [(share, e) for share, e in scored if share >= _MIN_SHARE]


def who_said_answer(statement: str, doc_ids: Sequence[str], records: Mapping[str, DocumentRecord],
                    text_of: Callable[[str], str], base: Mapping[str, Any],
                    timings: dict[str, float]) -> CitedAnswer | None:
    """The lines stating `statement` (at least `_MIN_SHARE` of its words), best first and at most one per
    source while others remain, each quoted with the line naming its speaker; None when no line states it
    (the question then takes the usual path)."""
    found: list[tuple[float, Evidence, Evidence | None]] = []
    for doc_id in doc_ids:
        if doc_id not in records:
            continue
        text = text_of(doc_id)
        headline = headline_evidence(records[doc_id], text)  # an op-ed's thesis: "Russia – main obstacle ..."
        own = [*([headline] if headline else []), *(e for e in document_lines(doc_id, records[doc_id], text)
                                                   if headline is None or e.start >= headline.end)]
        lines = [e.model_copy(update={"n": i}) for i, e in enumerate(own, start=1)]
        speakers = find_speakers(lines)
        for share, line in _stating(statement, lines):
            at = speakers.get(line.n, (None, line.n))[1]
            found.append((share, line, lines[at - 1] if at != line.n else None))
    if not found:
        return None
    found.sort(key=lambda item: -item[0])
    sentences = []
    evidence: list[Evidence] = []
    for _, line, naming in spread_by_document(found, lambda item: item[1].doc_id, _MOST):
        pair = [line] if naming is None else [naming, line]
        shown = [e.model_copy(update={"n": len(evidence) + i}) for i, e in enumerate(pair, start=1)]
        evidence += shown
        sentences.append(quote_sentence(shown[0], ("who-said",), more=shown[1:]))
    return CitedAnswer(sentences=tuple(sentences), refused=False, timings=timings,
                       **{**base, "evidence": tuple(evidence)})
