"""Follow-up questions made stand-alone: two elliptical forms by rule, the rest by the model, checked.

The 1.5B model rewrote "And what about Zakharova?" (after a question on Galuzin) into the Galuzin question
itself, and left "Does Chalenko agree?" as it was: the answer then came from lines on whatever "he" or
"agree" matched. "What about X?" and "Does X agree?" are rewritten from the previous question by rule (no
model call); any other rewrite must keep the names the user just typed and must not be the previous
question again, else the follow-up is kept with that question beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.gates import TOPIC, question_terms
from rag.types import ChatTurn

__all__ = ["checked_rewrite", "rule_rewrite", "topic_question"]

_WHAT_ABOUT = re.compile(r"^\s*(?:and|so|but|ok(?:ay)?|then)?[\s,]*(?:what|how)\s+about\s+(?P<x>[^?]+?)\s*\??\s*$",
                         re.I)
_AND_X = re.compile(r"^\s*(?i:and)\s+(?P<x>(?:the\s+)?[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3})\s*\??\s*$")
_AGREE = re.compile(r"^\s*(?:and\s+)?(?:does|do|did|would)\s+(?P<x>[^?]+?)\s+(?:also\s+)?(?P<verb>agree|disagree)"
                    r"(?:\s+with\s+(?:him|her|them|that|this|it|this view|that view))?\s*\??\s*$", re.I)


_ANYONE = re.compile(r"(?:anyone|anybody|someone|somebody|everyone|everybody|the\s+others|others|the\s+rest|"
                     r"(?:any|the)\s+(?:of\s+the\s+)?other\s+(?:sources?|outlets?|articles?|authors?|pieces?)|"
                     r"other\s+(?:sources?|outlets?|articles?|authors?|pieces?)|any\s+(?:sources?|outlets?|"
                     r"articles?|authors?|pieces?))", re.I)


def _previous(history: Sequence[ChatTurn]) -> str | None:
    return next((t.content.strip() for t in reversed(history) if t.role == "user" and t.content.strip()), None)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def rule_rewrite(question: str, history: Sequence[ChatTurn],
                 is_source: Callable[[str], bool] = lambda name: False) -> str | None:
    """"What about X?" / "And X?" -> the previous question asked of X instead of the person or thing it named
    first (of X's kind where there is one: a source of the collection, `is_source`, for a source, "And
    Chalenko?"; else the first name that is no source: "What does Alwaght say about Turkey?" + "And Iran?" asks
    Alwaght about Iran);
    "Does X agree?" -> "Do X and <that one> agree on <what the previous question was about>?". None for
    other forms, or with no earlier question to read them against."""
    previous = _previous(history)
    if previous is None:
        return None
    runs = question_terms(previous).runs
    about = _WHAT_ABOUT.match(question) or _AND_X.match(question)
    if about is not None:
        other = about.group("x").strip()
        named = any(w[:1].isupper() for w in other.split() if w.lower() != "the")  # "the EU", not "the ceasefire"
        kind = is_source(other)
        mine = [r for r in runs if r in previous]
        target = next((r for r in mine if is_source(r) == kind), mine[0] if mine else None) if named else None
        if target is not None and target.lower() not in other.lower():
            return previous.replace(target, other, 1)
        return f"{previous.rstrip(' ?')}, regarding {other}?"
    agree = _AGREE.match(question)
    if agree is not None and runs:
        topic = TOPIC.search(previous)
        what = topic.group("topic") if topic is not None else previous.rstrip(" ?")
        who, verb = agree.group("x").strip(), agree.group("verb").lower()
        if _ANYONE.fullmatch(who):  # "Does anyone disagree?": the sources, set against the one asked before
            on = "" if runs[0].lower() in what.lower() else f" on {what}"
            return f"Do the sources {verb} with {runs[0]}{on}?"
        return f"Do {who} and {runs[0]} {verb} on {what}?"
    return None


def checked_rewrite(question: str, rewritten: str, history: Sequence[ChatTurn]) -> str:
    """The model's stand-alone question, unless it dropped a name the follow-up gives or is the previous
    question again: then the follow-up with the previous question beside it, which keeps both in view."""
    previous = _previous(history)
    names = {w.lower() for w, _ in question_terms(question).names}
    lost = any(n not in rewritten.lower() for n in names)
    copied = previous is not None and _norm(rewritten) == _norm(previous) and _norm(question) != _norm(previous)
    if rewritten and not lost and not copied:
        return rewritten
    return f"{question.rstrip(' ?')}? ({previous})" if previous else question


_ASKING_WORD = re.compile(r"^\s*(?:who|whom|whose|what|whats|what's|which|when|where|why|how|is|are|was|were|do|"
                          r"does|did|has|have|had|can|could|will|would|should|shall|may|might|must|summari[sz]e|list|give|"
                          r"tell|explain|compare|describe|show|find|name|quote|define|outline|please)\b", re.I)


_SMALL_TALK = re.compile(r"^\s*(?:thanks?|thank\s+you|cheers|hi|hello|hey|ok|okay|yes|no|yeah|nope|bye|great|"
                         r"cool|nice|got\s+it)\b", re.I)


def topic_question(question: str) -> str:
    """A bare topic typed as a query ("Lachin crossing?", "Russian peacekeepers") asked as the question it
    stands for: what the sources say about it (a comparison, source by source). Anything else unchanged."""
    words = re.findall(r"[\w’'.-]+", question)
    if not words or len(words) > 4 or _ASKING_WORD.match(question) or _SMALL_TALK.match(question) \
            or re.search(r"[.!;:]\s*\S", question):
        return question
    return f"What do the sources say about {question.strip().rstrip('?!. ')}?"
