"""The parts of a multi-part question, and which of them an answer leaves unanswered.

"When did the talks start and how many rounds were held?" asks two things; evidence chosen for
the whole question by one score answers the part it matches best. Split into its parts, each part
gets its own best evidence line, and after generation each part is checked for an answer: one
that none of the answer's sentences addresses is said to be missing, not passed over in silence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.retrieval import tokenize
from rag.types import AnswerSentence
from rag.verify.signals import fold

__all__ = ["answered", "evidence_parts", "gives_kind", "missing_parts", "question_parts", "unanswered_parts",
           "without_designation"]

_WH = r"(?:who|whom|whose|what|when|where|why|how|which)"
# A new part starts at "and"/"or"/";"/"," followed by a question word ("..., and how many ...",
# "... and why", "Which X ... and which Y ...").
_SPLIT = re.compile(rf"\s*(?:[;,]\s*(?:and|or)?|\s(?:and|or|as well as))\s+(?={_WH}\b)", re.I)
_NUMBER_ASKED = re.compile(r"^\s*how (?:many|much|long|often|far|old)\b", re.I)
_TIME_ASKED = re.compile(r"^\s*(?:when|what (?:year|date|day|month)|since when)\b", re.I)
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|"
                     r"billion|several|few|many)\b", re.I)
_TIME = re.compile(r"\b(?:1[89]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|"
                   r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                   r"yesterday|today|last (?:week|month|year)|since|ago)\b", re.I)
_MIN_WORDS = 2
_REFERS = re.compile(r"\b(?:it|its|they|them|their|he|him|his|she|her|this|that|these|those)\b", re.I)


_ASKS = re.compile(rf"^(?:(?:in|on|at|for|from|to|by|with|since|until|of)\s+)?(?:{_WH}|is|are|was|were|do|does|did|"
                   r"has|have|had|can|could|will|would|should)\b", re.I)


def question_parts(question: str) -> list[str]:
    """The question's parts, each readable on its own. A piece that asks nothing ("According to Alwaght,")
    stays with the part after it; a bare "and why?" or "When and where ...?", or a part that points back ("how
    many people does it affect?"), borrows the words of the part next to it ("why ... blamed the United
    States"). One part (the question) when it asks one thing."""
    text = question.strip()
    pieces: list[str] = []
    carry = ""
    for piece in (p.strip(" ,;?") for p in _SPLIT.split(text)):
        if not piece:
            continue
        if not _ASKS.match(piece):  # asks nothing: joins the part before it, or the first part
            if pieces:
                pieces[-1] = f"{pieces[-1]}, {piece}"
            else:
                carry += f"{piece}, "
            continue
        pieces.append(carry + piece)
        carry = ""
    if len(pieces) < 2:
        return [text]
    parts = []
    for i, piece in enumerate(pieces):
        if tokenize(piece) and not (i and _REFERS.search(piece)):
            parts.append(piece)
            continue
        other = tokenize(pieces[i + 1] if i == 0 else pieces[i - 1])
        parts.append(f"{piece} ({' '.join(other)})" if other else piece)
    return parts


_DOCUMENT = r"(?:piece|article|explainer|op-?ed|report|story|interview|analysis|column|sources?|outlets?)"
# "according to Alwaght", "per the Lavrov explainer", "in the piece about Moscow condemning U.S. involvement":
# phrases that say where to look, not what is asked.
_DESIGNATION = re.compile(
    rf"(?:^|,\s*|\s)(?:(?:according to|per)\s+(?:the\s+)?(?:{_DOCUMENT}|[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)"
    rf"|(?:in|from)\s+the\s+{_DOCUMENT})(?:\s+(?:about|on|by)\s+[^,?]+)?(?=\s*[,?]|\s*$)", re.I)


def without_designation(text: str) -> str:
    """A question (part) without the phrases that designate its source ("according to Alwaght", "per the Lavrov
    explainer", "in the piece about ..."); unchanged when fewer than three words would remain."""
    stripped = _DESIGNATION.sub("", text).strip(" ,")
    return stripped if len(stripped.split()) >= 3 else text


def evidence_parts(question: str) -> list[str]:
    """What evidence lines are kept first for: each part of the question without its source designations.
    "In the piece about Moscow condemning U.S. involvement, what role is given to the United States?" is scored
    as a whole too, but the designation's words (which every line of that piece shares) no longer decide
    which line leads. A one-part question without a designation gets none: its whole-question score decides."""
    plain = without_designation(question)
    parts = question_parts(plain)
    return [] if parts == [question] else parts


def answered(part: str, sentences: Sequence[str], others: Sequence[str] = ()) -> bool:
    """Whether an answer's sentences address a question part: a sentence uses a word of the part that the
    question's other parts do not use (its own subject), and gives the kind of fact asked for (a number for
    "how many", a date for "when"). A part with fewer than two words of its own ("and why?", "who opposes
    it?") cannot be told apart by its words: only the kind of fact is checked."""
    own = _words(part) - {w for other in others for w in _words(other)}
    for sentence in sentences:
        if len(own) >= _MIN_WORDS and not own & _words(sentence):
            continue
        if gives_kind(part, sentence):
            return True
    return False


def gives_kind(part: str, sentence: str) -> bool:
    """Whether a sentence gives the kind of fact a part asks for: a number for "how many", a date for "when";
    any sentence for other parts."""
    if _NUMBER_ASKED.match(part) and not _NUMBER.search(sentence):
        return False
    return not (_TIME_ASKED.match(part) and not _TIME.search(sentence))


def _words(text: str) -> set[str]:
    return {fold(w) for w in tokenize(text)}


def unanswered_parts(parts: Sequence[str], sentences: Sequence[str]) -> list[str]:
    """The parts of a multi-part question that no answer sentence addresses (none for a one-part question)."""
    if len(parts) < 2:
        return []
    return [p for i, p in enumerate(parts) if not answered(p, sentences, [*parts[:i], *parts[i + 1:]])]


def missing_parts(parts: Sequence[str], sentences: Sequence[AnswerSentence]) -> list[AnswerSentence]:
    """A sentence for each part of the question the answer leaves open, said as such (flagged like a refusal,
    so it is never scored as a claim): the reader learns the evidence found does not answer it."""
    said = [s.text for s in sentences if "refusal" not in s.flags]
    return [AnswerSentence(text=f"The evidence found does not answer this part of the question: {part}?",
                           flags=("refusal", "unanswered-part"))
            for part in unanswered_parts(parts, said)]
