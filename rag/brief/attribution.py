"""Who says what, decided by rules: source labels, speakers found in the text, attribution prefixes.

A 1.5B model often drops or invents speakers, so attribution is built in code from the document's
metadata and the speakers these rules find in the cited sentences; the model only proposes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.brief.types import SourceDoc
from rag.types import DocumentRecord, Evidence

__all__ = ["REPORTING_VERB", "attribute", "claim_clause", "find_speakers", "mentions", "quote_sentence",
           "short_title", "source_doc"]

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


def short_title(title: str, words: int = 9) -> str:
    parts = title.split()
    return title if len(parts) <= words else " ".join(parts[:words]) + "…"


def source_doc(record: DocumentRecord) -> SourceDoc:
    """How a document is named in attributions: its outlet, else its author, else its title."""
    if record.outlet:
        label, kind = record.outlet, "outlet"
    elif record.author:
        label, kind = record.author, "author"
    else:
        label, kind = f"the article “{short_title(record.title)}”", "article"
    return SourceDoc(doc_id=record.id, file_name=record.file_name, title=record.title, outlet=record.outlet,
                     author=record.author, label=label, kind=kind)  # type: ignore[arg-type]


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


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first.lower() in {"the", "a", "an", "it", "its", "this", "there", "their", "both", "some", "all", "any"}:
        return text[0].lower() + text[1:]
    return text


def claim_clause(claim: str) -> str:
    text = claim.strip().rstrip(".").strip()
    text = re.sub(r"^(that|says that|said that)\s+", "", text, flags=re.I)
    return _lower_first(text)


def attribute(claim: str, doc: SourceDoc, speaker: str | None, also: Sequence[SourceDoc] = ()) -> str:
    """An attributed sentence: 'According to <source>, <speaker> said <claim>.' A claim is never stated
    as plain fact; the author's own view is '<author> writes that ...'."""
    clause = claim_clause(claim)
    sources = [doc.label, *(d.label for d in also if d.label != doc.label)]
    who = sources[0] if len(sources) == 1 else ", ".join(sources[:-1]) + " and " + sources[-1]
    own = speaker is None or (doc.author is not None and mentions(doc.author, speaker) and not also)
    if own and doc.kind == "author" and not also:
        return f"{doc.label} writes that {clause}."
    if own:
        return f"According to {who}, {clause}."
    assert speaker is not None
    if mentions(" ".join(clause.split()[:4]), speaker):
        return f"According to {who}, {clause}."
    return f"According to {who}, {speaker} said {clause}."


def quote_sentence(doc: SourceDoc, quote: str, speaker: str | None = None) -> str:
    """A verbatim quote attributed to its source (and the speaker the rules found in it)."""
    if speaker and not mentions(quote, speaker):
        return f"{doc.label} reports {speaker} as saying: “{quote}”"
    verb = "writes" if doc.kind == "author" else "reports"
    if doc.kind == "article":
        return f"{doc.label[0].upper()}{doc.label[1:]} reports: “{quote}”"
    return f"{doc.label} {verb}: “{quote}”"
