"""Who says what, decided by rules: source labels, speakers found in the text, attribution prefixes.

A 1.5B model often drops or invents speakers, so attribution is built in code from the document's
metadata and the speakers these rules find in the cited sentences; the model only proposes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.brief.types import SourceDoc
from rag.speakers import REPORTING_VERB, find_speakers, mentions, speaker_in
from rag.types import DocumentRecord

__all__ = ["REPORTING_VERB", "attribute", "claim_clause", "find_speakers", "mentions", "quote_sentence",
           "short_title", "source_doc", "speaker_in"]  # the speaker rules live in `rag.speakers`

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
