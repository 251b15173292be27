"""Stage 4: the briefing's sections, written from the digests and the matrix.

Sentences are composed in code: a claim from the model's digest gets an attribution built from the
document's metadata and the speaker the rules found ('According to <outlet>, <speaker> said ...');
figures, people, dates and hedged statements are verbatim quotes with their source. Nothing that
only one source says is written as plain fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rag.brief.attribution import attribute, mentions, quote_sentence
from rag.brief.group import citation_for
from rag.brief.scope import _HEDGE
from rag.brief.types import (
    BriefSection,
    BriefSentence,
    Claim,
    ClaimGroup,
    DocumentDigest,
    Grouping,
    Scope,
    ScopedDocument,
    SourceDoc,
    TimelineEvent,
)
from rag.dates import find_dates
from rag.evidence import spread_by_document
from rag.types import Citation, Evidence

__all__ = ["SECTION_TITLES", "Draft", "write_sections"]

SECTION_TITLES = {
    "summary": "Summary",
    "facts": "Key facts and figures",
    "who_says_what": "Who says what",
    "contention": "Points of contention",
    "missing": "What is missing or uncertain",
    "timeline": "Timeline",
}
_QUOTE_WORDS = 40


class Draft:
    """Sections before verification, and the timeline's events."""

    def __init__(self, sections: list[BriefSection], timeline: list[TimelineEvent]) -> None:
        self.sections = sections
        self.timeline = timeline


def _speaker_context(claim_cites: Sequence[Evidence], speaker: str, scoped: ScopedDocument) -> Evidence | None:
    """The nearest earlier sentence naming the speaker, when the cited ones only say 'he' or 'the diplomat'."""
    if any(mentions(e.text, speaker) for e in claim_cites):
        return None
    first = min(e.n for e in claim_cites)
    for e in reversed(scoped.sentences[:first - 1]):
        if mentions(e.text, speaker):
            return e
    return None


def claim_sentence(claim: Claim, scoped: ScopedDocument, also: Sequence[tuple[Claim, ScopedDocument]] = ()) -> \
        BriefSentence:
    """A claim with its attribution and citations (the speaker's naming sentence added when needed)."""
    cited = [scoped.sentences[n - 1] for n in claim.sentences[:2]]
    if claim.speaker:
        context = _speaker_context(cited, claim.speaker, scoped)
        cited = [context, *cited] if context is not None else cited
    citations = [citation_for(e) for e in cited]
    for other, other_doc in also:
        citations += [citation_for(other_doc.sentences[n - 1]) for n in other.sentences[:1]]
    if claim.origin == "extracted":
        quote = citation_for(cited[-1], _QUOTE_WORDS)
        text = quote_sentence(scoped.doc, quote.quote, claim.speaker)
        return BriefSentence(text=text, citations=(*citations[:-1], quote), checked=text, flags=("verbatim",))
    text = attribute(claim.text, scoped.doc, claim.speaker, [d.doc for _, d in also])
    return BriefSentence(text=text, citations=tuple(citations), checked=text)


def quoted(e: Evidence, doc: SourceDoc, speaker: str | None = None, lead: str = "",
           focus: int | None = None) -> BriefSentence:
    """A verbatim quote of a sentence (or of the clause around `focus`) attributed to its source."""
    citation = citation_for(e, _QUOTE_WORDS)
    if focus is not None and e.start + focus >= citation.end:
        start = max(e.text.rfind(", ", 0, focus) + 2, e.text.rfind("; ", 0, focus) + 2, 0)
        rest = e.text[start:]
        words = rest.split(" ")
        piece = " ".join(words[:_QUOTE_WORDS]).rstrip(" ,;:")
        citation = Citation(n=0, doc_id=e.doc_id, file_name=e.file_name, title=e.title, quote=piece,
                            start=e.start + start, end=e.start + start + len(piece))
    excerpt = citation.quote != e.text
    text = quote_sentence(doc, ("…" if citation.start > e.start else "") + citation.quote + ("…" if excerpt and
                          citation.end < e.end else ""), speaker)
    flags = ("verbatim", "excerpt") if excerpt else ("verbatim",)
    return BriefSentence(text=text, citations=(citation,), checked=text, flags=flags, lead=lead)


def _note(text: str) -> BriefSentence:
    return BriefSentence(text=text, flags=("note",))


def _members(group: ClaimGroup, docs: Mapping[str, ScopedDocument]) -> list[tuple[Claim, ScopedDocument]]:
    """One claim per asserting document, lead claim first."""
    seen: set[str] = set()
    out = []
    for claim in group.claims:
        if claim.doc_id not in seen:
            seen.add(claim.doc_id)
            out.append((claim, docs[claim.doc_id]))
    return out


def _summary(groups: Sequence[ClaimGroup], docs: Mapping[str, ScopedDocument], most: int = 6) -> list[BriefSentence]:
    """3-6 bullets: the rows most sources assert, picked so that every source is represented."""
    chosen: list[ClaimGroup] = []
    covered: set[str] = set()
    for group in groups:  # first pass: a row for each source not yet covered
        if len(chosen) < most and not set(group.asserting) <= covered:
            chosen.append(group)
            covered |= set(group.asserting)
    for group in groups:  # then fill up to three bullets
        if len(chosen) >= min(3, most):
            break
        if group not in chosen:
            chosen.append(group)
    chosen.sort(key=lambda g: groups.index(g))
    bullets = []
    for group in chosen:
        members = _members(group, docs)
        lead, lead_doc = members[0]
        sentence = claim_sentence(lead, lead_doc, members[1:])
        if group.disputing:
            sentence = sentence.model_copy(update={"flags": (*sentence.flags, "disputed")})
        bullets.append(sentence)
    return bullets


def _positions(docs: Mapping[str, ScopedDocument]) -> list[BriefSentence]:
    """Where each source stands, in its own words: its headline when the text carries one (an op-ed's thesis),
    and its sentence closest to the topic (or most central), quoted verbatim under its own name."""
    out = []
    for scoped in docs.values():
        lines = [e for e in (scoped.headline, scoped.position()) if e is not None]
        for e in lines:
            lead = "headline" if e.n == 0 else "position"
            sentence = quoted(e, scoped.doc, scoped.speakers.get(e.n, (None, 0))[0] if e.n else None, lead=lead)
            out.append(sentence.model_copy(update={"flags": (*sentence.flags, lead)}))
    return out


def _who_says_what(groups: Sequence[ClaimGroup], docs: Mapping[str, ScopedDocument]) -> list[BriefSentence]:
    out = _positions(docs)
    for group in groups:
        for claim, scoped in _members(group, docs):
            out.append(claim_sentence(claim, scoped))
        for cell in group.cells:
            if cell.judged_by == "stance-check" and cell.quote is not None:
                e = next(s for s in docs[cell.doc_id].sentences if s.start == cell.quote.start)
                label = "agrees" if cell.position == "asserts" else "disputes"
                sentence = quoted(e, docs[cell.doc_id].doc, cell.speaker, lead=f"{label} (stance check)")
                out.append(sentence.model_copy(update={"flags": (*sentence.flags, f"{cell.position}:stance-check")}))
    return out


def _contention(grouping: Grouping, docs: Mapping[str, ScopedDocument]) -> list[BriefSentence]:
    out = []
    for group in grouping.groups:
        if not group.disputing:
            continue
        lead, lead_doc = _members(group, docs)[0]
        out.append(claim_sentence(lead, lead_doc))
        for cell in group.cells:
            if cell.position == "disputes" and cell.quote is not None:
                e = next(s for s in docs[cell.doc_id].sentences if s.start == cell.quote.start)
                sentence = quoted(e, docs[cell.doc_id].doc, cell.speaker)
                text = sentence.text[0].lower() + sentence.text[1:] if sentence.text.startswith("The ") \
                    else sentence.text
                out.append(sentence.model_copy(update={"text": f"In contrast, {text}",
                                                       "flags": (*sentence.flags, "disputes:stance-check")}))
    if not out and grouping.stance_checks:
        out.append(_note(f"No source was found to dispute another source's main claims "
                         f"({grouping.stance_checks} closest pairs of claims checked)."))
    elif not out:
        out.append(_note("Stance checks across sources are off (SOURCEBRIEF_BRIEF_STANCE_CHECKS), so disagreements "
                         "are not detected; compare the claims under “Who says what”."))
    return out


def _facts(digests: Sequence[DocumentDigest], docs: Mapping[str, ScopedDocument], most_figures: int = 6,
           most_people: int = 6) -> list[BriefSentence]:
    out: list[BriefSentence] = []
    used: set[tuple[str, int]] = set()
    for kind, most in (("figure", most_figures), ("person", most_people)):
        values: dict[tuple[str, int], list[str]] = {}
        for digest in digests:
            scoped = docs[digest.doc_id]
            usable = {e.n for e in scoped.usable("facts")}
            for fact in digest.facts:
                if fact.kind == kind and fact.sentence in usable and (fact.doc_id, fact.sentence) not in used:
                    values.setdefault((fact.doc_id, fact.sentence), []).append(fact.value)
        picked = list(values.items())
        if kind == "person":  # one person per sentence, each person once
            names: set[str] = set()
            fresh = []
            for k, v in picked:
                if not set(v) <= names:
                    names.update(v)
                    fresh.append((k, v))
            picked = fresh
        for (doc_id, n), found in spread_by_document(picked, lambda item: item[0][0], most):
            used.add((doc_id, n))
            scoped = docs[doc_id]
            speaker = scoped.speakers.get(n, (None, 0))[0]
            out.append(quoted(scoped.sentences[n - 1], scoped.doc, speaker if kind == "figure" else None,
                              lead=", ".join(dict.fromkeys(found))))
    return out


def _timeline(digests: Sequence[DocumentDigest], docs: Mapping[str, ScopedDocument], most: int = 12) -> \
        list[TimelineEvent]:
    items: list[tuple[tuple[str, int], list[str]]] = []
    keys: dict[tuple[str, int], str] = {}
    for digest in digests:
        usable = {e.n for e in docs[digest.doc_id].usable("timeline")}
        for fact in digest.facts:
            at = (fact.doc_id, fact.sentence)
            if fact.kind == "date" and fact.sentence in usable and at not in keys:
                keys[at] = fact.sort_key
                items.append((at, [fact.value]))
    events = []
    for (doc_id, n), (when, *_) in spread_by_document(items, lambda item: item[0][0], most):
        scoped = docs[doc_id]
        e = scoped.sentences[n - 1]
        focus = next((e.text.find(value) for value, _ in find_dates(e.text) if value == when), None)
        sentence = quoted(e, scoped.doc, scoped.speakers.get(n, (None, 0))[0], lead=when, focus=focus)
        events.append(TimelineEvent(when=when, sort_key=keys[(doc_id, n)], sentence=sentence))
    return sorted(events, key=lambda ev: ev.sort_key)


def _missing(scope: Scope, digests: Sequence[DocumentDigest], grouping: Grouping,
             docs: Mapping[str, ScopedDocument], most_hedged: int = 3) -> list[BriefSentence]:
    out: list[BriefSentence] = []
    single = [g for g in grouping.groups if len(g.asserting) == 1]
    if grouping.groups:
        out.append(_note(f"{len(single)} of the {len(grouping.groups)} main claims above are made by one source "
                         "only; they are attributed to it and not confirmed by the others."))
    unnamed = [d.doc for d in scope.documents if d.doc.kind == "article"]
    if unnamed:
        out.append(_note("No outlet or author is stated for " + "; ".join(f"{d.file_name} (“{d.title}”)"
                                                                          for d in unnamed)
                         + ": its claims can be attributed only to the article itself."))
    judged = {j.doc.doc_id: j for j in scope.judged}
    if scope.topic and scope.judged:
        used = [j for j in scope.judged if j.used]
        out.append(_note(f"Each document was judged against the topic by its closest passage: {len(used)} of "
                         f"{len(scope.judged)} speak to it ("
                         + "; ".join(f"{j.doc.label} {j.score:.2f}" for j in sorted(used, key=lambda j: -j.score))
                         + ")."))
    for doc in scope.off_topic:
        judgement = judged.get(doc.doc_id)
        why = (f"its closest passage scores {judgement.score:.2f} against the topic, under the {scope.min_score:.2f} "
               f"a document needs (“{judgement.passage[:90]}”)"
               if judgement is not None and judgement.score > -1 else "nothing in it was retrieved for this topic")
        out.append(_note(f"{doc.file_name} ({doc.label}) is not used: {why}."))
    for digest in digests:
        for flag in digest.flags:
            if flag.startswith("speaker-not-in-text:"):
                name, file_name = flag.split(":", 1)[1], docs[digest.doc_id].doc.file_name
                out.append(_note(f"The model named {name} as a speaker in {file_name}, but the text does not; "
                                 "that claim is attributed to the source only."))
    hedged: list[tuple[tuple[str, int], list[str]]] = []
    for scoped in docs.values():
        for e in scoped.usable("missing"):
            match = _HEDGE.search(e.text)
            if match and match.group(0).lower() not in {"could", "might", "may"}:
                hedged.append(((scoped.doc.doc_id, e.n), [match.group(0)]))
    for (doc_id, n), words in spread_by_document(hedged, lambda item: item[0][0], most_hedged):
        scoped = docs[doc_id]
        sentence = quoted(scoped.sentences[n - 1], scoped.doc, scoped.speakers.get(n, (None, 0))[0],
                          lead=f"hedged: “{words[0]}”")
        out.append(sentence.model_copy(update={"flags": (*sentence.flags, "hedged")}))
    return out


def write_sections(scope: Scope, digests: Sequence[DocumentDigest], grouping: Grouping) -> Draft:
    """All sections, in reading order, before verification."""
    docs = {d.doc.doc_id: d for d in scope.documents}
    groups = list(grouping.groups)
    timeline = _timeline(digests, docs)
    sections = [
        BriefSection(key="summary", title=SECTION_TITLES["summary"], sentences=tuple(_summary(groups, docs))),
        BriefSection(key="facts", title=SECTION_TITLES["facts"], sentences=tuple(_facts(digests, docs))),
        BriefSection(key="who_says_what", title=SECTION_TITLES["who_says_what"],
                     sentences=tuple(_who_says_what(groups, docs))),
        BriefSection(key="contention", title=SECTION_TITLES["contention"],
                     sentences=tuple(_contention(grouping, docs))),
        BriefSection(key="missing", title=SECTION_TITLES["missing"],
                     sentences=tuple(_missing(scope, digests, grouping, docs))),
        BriefSection(key="timeline", title=SECTION_TITLES["timeline"],
                     sentences=tuple(ev.sentence for ev in timeline)),
    ]
    return Draft(sections, timeline)
