"""Acting on the verifier: what a guarded answer shows, re-cites, removes, or says instead.

The verifier labels each sentence; in `guarded` mode a sentence it does not support (a number, date
or name its passage lacks, or a score under the calibrated threshold) is never shown as a sourced
claim. It is first re-cited (another evidence line that supports it), else read with its quote's
context when only a name was missing, else removed with the reason kept for the reader. When
nothing supported is left, the answer is the refusal with the closest passages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rag.evidence import labelled_passage, names_source, refers_back
from rag.ingest.sentences import split_sentences
from rag.prompts import REFUSAL
from rag.retrieval import tokenize
from rag.types import (
    AnswerGate,
    AnswerSentence,
    Citation,
    CitedAnswer,
    ClaimVerifier,
    Evidence,
    RemovedSentence,
    Sentence,
    Verdict,
)
from rag.verify.checks import cap_runs
from rag.verify.signals import word_coverage

__all__ = ["citation_of", "context_before", "correction", "guard_sentences", "quote_sentence", "refusal_answer",
           "removal_reason", "verbatim_verdict"]

_RELATED = 3  # closest passages shown with a refusal or a correction
_QUOTES = 2  # evidence sentences quoted after a corrected premise
_ATTRIBUTION = re.compile(r"^according to [^,]+,\s*", re.I)  # "According to <source>, " names, says nothing
_CONTEXT_CHARS = 400  # of a document read before a quote when a sentence is checked again in context
_OWN_WORDS = 0.6  # share of a sentence's words (names aside) its own quotes must hold to be read in context


def citation_of(e: Evidence) -> Citation:
    return Citation(n=e.n, doc_id=e.doc_id, file_name=e.file_name, title=e.title, quote=e.text, start=e.start,
                    end=e.end, context=e.context)


def removal_reason(sentence: AnswerSentence) -> str:
    """Why a sentence is not shown, in the reader's words: what the checks found, else the verdict."""
    verdict = sentence.verdict
    if not sentence.citations:
        return "no citation to a passage"
    if verdict is None:
        return "not verified"
    if verdict.issues:
        return "; ".join(verdict.issues)
    return f"{verdict.label} by its cited passage (score {verdict.score:.2f})"


#: Document text that gives a cited quote's referents for a claim ("" when unknown): the text just before
#: the quote (what "he" or "this group" refers to) and where the document introduces a name the claim uses.
Context = Callable[[Citation, str], str]


def _in_context(label: str, citation: Citation, claim: str, context: Context | None) -> str:
    before = context(citation, claim) if context is not None else ""
    return labelled_passage(label, f"{before} {citation.reading}".strip())


_MISSING_NAMES = re.compile(r"^name\(s\) (.+) not in the passage$")
_ANAPHOR = re.compile(r"\b(?:he|she|they|him|his|her|their|them|this|these|those|such)\b", re.I)
#: A quote whose speaker is named by role, not by name ("...,” the Russian FM spox concluded.", "said the
#: diplomat"): news names a speaker once, then refers to them so.
_ROLE = r"(?:official|diplomat|minister|ministry|spokesperson|spokesman|spokeswoman|spox|envoy|ambassador|analyst|" \
        r"president|premier|leader|chair|expert)"
_SAID = r"(?:said|says|noted|notes|concluded|added|stressed|emphasi[sz]ed|remarked|explained|warned|stated|told)"
_ROLE_SPEAKER = re.compile(rf"\bthe\s+(?:[\w’'.-]+\s+){{0,3}}{_ROLE}\s+{_SAID}\b"
                           rf"|\b{_SAID}\s+the\s+(?:[\w’'.-]+\s+){{0,3}}{_ROLE}\b", re.I)


def _names_only(claim: str, verdict: Verdict | None, quotes: Sequence[str]) -> bool:
    """Whether a claim failed only for names its quotes leave to their context, while what it says beyond its
    names is in the quotes themselves: then the context may supply the names, and the cited lines, not the
    context, still carry the claim.

    A quote leaves a name to its context when it refers back ("he", "this group", "the ministry", a speaker named
    by role: "the Russian FM spox concluded") or shortens it (the claim's "Maria Zakharova", the quote's
    "Zakharova"). A quote that names its own actors ("the
    meeting of Blinken with the foreign ministers") leaves nothing to its context: a claim giving that act to
    other names ("Aliyev and Pashinyan met") recombines, and the document's mention of them elsewhere does not
    make it true."""
    issues = verdict.issues if verdict is not None else ()
    if not issues or not all(i.startswith("name") for i in issues):
        return False
    unnamed = re.sub(r"\b[A-Z][\w’'.-]*", " ", _ATTRIBUTION.sub("", claim))
    if word_coverage(unnamed, " ".join(quotes)) < _OWN_WORDS:
        return False
    joined = " ".join(quotes)
    if any(refers_back(q) or _ANAPHOR.search(q) or _ROLE_SPEAKER.search(q) for q in quotes):
        return True
    missing = {n.strip() for i in issues if (m := _MISSING_NAMES.match(i)) for n in m.group(1).split(",")}
    shortened = {word for run in cap_runs(claim) if any(w in joined for w in run) for word in run}
    return bool(missing) and missing <= shortened


def _reread(sentence: AnswerSentence, sources: Mapping[int, str], verifier: ClaimVerifier,
            context: Context | None) -> AnswerSentence | None:
    """The cited quotes read with the sentences before them: "He also mentioned ..." names its speaker there,
    "this group, co-chaired by ..." its group. Supported so, the sentence keeps its citations."""
    if context is None or not _names_only(sentence.text, sentence.verdict, [c.quote for c in sentence.citations]):
        return None
    passages = [_in_context(sources.get(c.n, c.title), c, sentence.text, context) for c in sentence.citations]
    verdict = verifier.verify(sentence.text, passages)
    if verdict.label != "supported":
        return None
    return sentence.model_copy(update={"verdict": verdict, "flags": (*sentence.flags, "read-in-context")})


def _recite(sentence: AnswerSentence, evidence: Sequence[Evidence], verifier: ClaimVerifier,
            context: Context | None = None) -> AnswerSentence | None:
    """Try the other evidence sentences (most shared words first) as support for an unsupported sentence;
    a line that fails only for names it leaves to its context is read with that context."""
    cited = {c.n for c in sentence.citations}
    terms = set(tokenize(sentence.text))
    others = sorted((e for e in evidence if e.n not in cited),
                    key=lambda e: len(terms & set(tokenize(e.text))), reverse=True)[:2]
    for e in others:
        if not terms & set(tokenize(e.text)):
            continue
        text = _credited_to(sentence.text, [x.source for x in evidence if x.n in cited], e.source)
        verdict = verifier.verify(text, [labelled_passage(e.source, e.reading)])
        if verdict.label != "supported" and context is not None and _names_only(text, verdict, [e.text]):
            verdict = verifier.verify(text, [_in_context(e.source, citation_of(e), text, context)])
        if verdict.label == "supported":
            return sentence.model_copy(update={"text": text, "citations": (citation_of(e),), "verdict": verdict,
                                               "flags": (*sentence.flags, "re-cited")})
    return None


def _credited_to(text: str, cited: Sequence[str], label: str) -> str:
    """A sentence moved to another source's line: "According to <the source it cited>, ..." credits the new
    source instead (the model wrote the wrong number, and the name of the source behind it). A wrapper naming
    anyone else ("According to Zakharova, ...") stays."""
    wrapper = _ATTRIBUTION.match(text)
    if wrapper is None or not any(names_source(wrapper.group(0), c) for c in cited):
        return text
    return f"According to {label}, {text[wrapper.end():]}"


def guard_sentences(sentences: Sequence[AnswerSentence], evidence: Sequence[Evidence], verifier: ClaimVerifier,
                    drop: bool, context: Context | None = None) -> tuple[list[AnswerSentence], list[RemovedSentence]]:
    """Attach a verdict to each cited sentence; with `drop`, what is not supported is re-cited, else read
    again with its quotes' context (`context`, names only), else removed with the reason kept."""
    sources = {e.n: e.source for e in evidence}
    kept: list[AnswerSentence] = []
    removed: list[RemovedSentence] = []
    for sentence in sentences:
        if "refusal" in sentence.flags:
            kept.append(sentence)
            continue
        verdict = verifier.verify(
            sentence.text, [labelled_passage(sources.get(c.n, c.title), c.reading) for c in sentence.citations]) \
            if sentence.citations else None
        checked = sentence.model_copy(update={"verdict": verdict})
        if not drop or (verdict is not None and verdict.label == "supported"):
            kept.append(checked)
            continue
        recited = _recite(checked, evidence, verifier, context) or _reread(checked, sources, verifier, context)
        if recited is not None:
            kept.append(recited)
        else:
            removed.append(RemovedSentence(text=sentence.text, reason=removal_reason(checked), verdict=verdict))
    return kept, removed


def _closest(evidence: Sequence[Evidence], most: int) -> tuple[Evidence, ...]:
    return tuple(sorted(evidence, key=lambda e: e.score, reverse=True)[:most])


def refusal_answer(base: Mapping[str, Any], timings: dict[str, float], *, related: Sequence[Evidence],
                   gate: AnswerGate | None = None, removed: Sequence[RemovedSentence] = (),
                   usage: Mapping[str, int] | None = None) -> CitedAnswer:
    """The refusal, led by what is missing when a gate found it, with the closest passages as related."""
    sentences = [AnswerSentence(text=gate.message, flags=("refusal", f"gate:{gate.kind}"))] if gate else []
    sentences.append(AnswerSentence(text=REFUSAL, flags=("refusal",)))
    return CitedAnswer(sentences=tuple(sentences), refused=True, timings=timings, gate=gate, removed=tuple(removed),
                       related=_closest(related, _RELATED), usage=dict(usage or {}), **base)


def correction(gate: AnswerGate, lines: Sequence[Evidence]) -> tuple[AnswerSentence, ...]:
    """A false premise answered: the premise not found, then what the sources say, quoted verbatim (the first
    lines given: the caller ranks them)."""
    out = [AnswerSentence(text=gate.message, flags=("premise",))]
    out += [quote_sentence(e) for e in lines[:_QUOTES]]
    return tuple(out)


def quote_sentence(e: Evidence, flags: tuple[str, ...] = (), more: Sequence[Evidence] = ()) -> AnswerSentence:
    """An evidence line (and `more` lines of the same source) quoted verbatim under its own source ("Alwaght
    writes: “...” … “...”"), cited, with the verdict that holds by construction."""
    label = e.source[0].upper() + e.source[1:] if e.source else e.source
    lines = [e, *(m for m in more if m.doc_id == e.doc_id)]
    return AnswerSentence(text=f"{label} writes: " + " … ".join(_quoted(x.text) for x in lines),
                          citations=tuple(citation_of(x) for x in lines), flags=("quote", *flags),
                          verdict=verbatim_verdict(e).model_copy(update={"support": tuple(x.text for x in lines)}))


def verbatim_verdict(e: Evidence) -> Verdict:
    """The verdict of a sentence that is its cited line quoted verbatim under the line's own source label:
    supported by construction (the quote is checked at its offsets like any citation), no judge needed."""
    return Verdict(label="supported", score=1.0, support=(e.text,), judge="verbatim quote")


def _quoted(text: str) -> str:
    """A sentence in quotation marks, unless it already opens with its own."""
    return text if text[:1] in "\"“'‘" else f"“{text}”"


def context_before(document: str, citation: Citation, claim: str) -> str:
    """What a quote's document says around it for re-reading a claim: the document's last mention before the
    quote of a name the claim uses and the quote lacks (where "the Russian official" or "she" was last named:
    "Zakharova pointed out ..."; the first mention when none comes before), then up to `_CONTEXT_CHARS` before
    the quote, from a sentence start."""
    text = document[max(0, citation.start - _CONTEXT_CHARS):citation.start]
    start = re.search(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])|\n", text)
    before = (text[start.end():] if start and citation.start > _CONTEXT_CHARS else text).strip()
    introduced: list[str] = []
    sentences: list[Sentence] | None = None  # the document's, split once and only when a name needs them
    for run in cap_runs(claim):
        name = " ".join(run)
        if len(name) < 4 or name in citation.quote or name in before or name not in document:
            continue
        sentences = sentences if sentences is not None else split_sentences(document)
        mentions = [s for s in sentences if name in s.text]
        earlier = [s for s in mentions if s.start < citation.start]
        sentence = (earlier[-1] if earlier else mentions[0]).text if mentions else ""
        if sentence and sentence not in introduced:
            introduced.append(sentence)
    return " ".join([*introduced[:2], before]).strip()
