"""Who speaks in a sentence, by rules: a name before a reporting verb ("Galuzin remarked"), "according to X",
and "he" / "the diplomat" followed back to the last person named. Briefings attribute claims with them; the
answer gates ask whether a person a question asks about is ever heard in the sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.types import Evidence

__all__ = ["REPORTING_VERB", "find_speakers", "mentions", "speaker_in"]

_VERBS = (r"said|says|stated|states|noted|notes|emphasi[sz]ed|emphasi[sz]es|remarked|added|pointed out|"
          r"highlighted|highlights|expressed|mentioned|warned|warns|argued|argues|claimed|claims|told|stressed|"
          r"stresses|concluded|insisted|accused|accuses|criticized|criticised|criticizes|admits|admitted|"
          r"cautioned|declared|announced|discussed|offers|offered|condemned|condemns|believes|reported|writes|"
          r"wrote|recognized|recognised|blamed|urged|affirmed|affirms|expressed hope")
REPORTING_VERB = re.compile(rf"\b(?:has |had |have |also |openly |repeatedly |often |now )*(?:{_VERBS})\b")
_NAME = r"[A-Z][\w’'.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w’'.-]*){0,4}"
_APPOSITIVE = re.compile(rf"({_NAME})\s*,\s+(?:the|a|an|who|which|his|her|its|their|Russia’s|Russia's)\b[^,]*,\s*$")
_TRAILING_NAME = re.compile(rf"({_NAME})\s*,?\s*$")
_ACCORDING = re.compile(rf"\b[Aa]ccording to (?:the )?({_NAME}(?:\s+(?:authorities|officials|sources|experts))?)")
_BACK_REF = re.compile(r"(?:^|\W)(?:he|she|the [\w’' -]{0,30}?(?:official|diplomat|minister|spokesperson|spox|"
                       r"spokesman|spokeswoman))(?:\s+also)?\s*,?\s*$", re.I)
_NOT_SPEAKERS = {"In", "On", "At", "The", "This", "That", "But", "And", "Despite", "However", "Meanwhile", "While",
                 "It", "Some", "Many", "Critics", "Experts", "Analysts", "Observers", "Officials", "So", "Now", "As",
                 "Even", "Back", "Since", "If", "When", "After", "Before", "According", "Furthermore", "Moreover",
                 "Additionally", "Also", "Recently", "Still", "Yet", "Then", "Earlier", "Later"}


def _is_person(name: str) -> bool:
    return len(name.split()) >= 2 and not re.search(r"\b(Ministry|Foreign|Government|Office|House|Union|"
                                                   r"Organization|Organisation|Institute|Council)\b", name)


def _speaker_before(text: str) -> tuple[str | None, bool]:
    """(name, refers_back) for the text just before a reporting verb."""
    if _BACK_REF.search(text):
        return None, True
    for pattern in (_APPOSITIVE, _TRAILING_NAME):
        match = pattern.search(text)
        if match:
            name = match.group(1).strip().removeprefix("the ").strip()
            words = [w for w in name.split() if w not in _NOT_SPEAKERS]
            if words and len(" ".join(words)) > 2:
                return " ".join(words), False
    return None, False


def speaker_in(sentence: str) -> tuple[str | None, bool]:
    """The speaker a sentence names with a reporting verb ("Galuzin remarked", "according to SIPRI"),
    or (None, True) when it refers back ("he also mentioned", "the Russian official noted")."""
    for match in REPORTING_VERB.finditer(sentence):
        name, back = _speaker_before(sentence[:match.start()])
        if name or back:
            return name, back
    according = _ACCORDING.search(sentence)
    if according:
        return according.group(1), False
    return None, False


def find_speakers(sentences: Sequence[Evidence], lookback: int = 4) -> dict[int, tuple[str, int]]:
    """Sentence number -> (speaker, number of the sentence naming them), following 'he'/'the diplomat' back
    to the last person named within `lookback` sentences. Surnames seen before expand to the full name."""
    found: dict[int, tuple[str, int]] = {}
    people: dict[str, str] = {}  # surname -> full name, as first written
    last_person: tuple[str, int, int] | None = None  # (name, sentence naming them, last sentence about them)
    for e in sentences:
        name, back = speaker_in(e.text)
        if name:
            full = people.get(name, name)
            if _is_person(full):
                people.setdefault(full.split()[-1], full)
                last_person = (full, e.n, e.n)
            found[e.n] = (full, e.n)
        elif back and last_person and e.n - last_person[2] <= lookback:
            found[e.n] = (last_person[0], last_person[1])
            last_person = (last_person[0], last_person[1], e.n)
    return found


def mentions(text: str, name: str) -> bool:
    """True when the name's last word occurs in the text (surnames are how news text refers back)."""
    last = name.split()[-1].strip(".,")
    return re.search(rf"\b{re.escape(last)}\b", text) is not None
