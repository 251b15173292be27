"""Questions about what the sources mention ("Is Israel mentioned anywhere?", "Does Alwaght mention the CSTO?",
"Which articles talk about sanctions?"): answered from every document's whole text, not from the top-ranked
chunks, by quoting where each source mentions the subject. "Yes, Israel is mentioned" is no claim a judge can
check against a passage; the line that mentions it is."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rag.evidence import document_lines, source_label, sources_do
from rag.guard import quote_sentence, refusal_answer
from rag.retrieval import tokenize
from rag.types import AnswerGate, CitedAnswer, DocumentRecord, Evidence
from rag.verify.checks import PassageNames, cap_runs, is_name

__all__ = ["Mention", "mention_answer", "mention_subject", "mentioning_lines"]

_VERB = (r"(?:mention(?:s|ed)?|name(?:s|d)?|discuss(?:es|ed)?|refer(?:s|red)?\s+to|talk(?:s|ed)?\s+about|cite(?:s|d)?|"
         r"bring\s+up|brings\s+up)")
_SUBJECT = r"(?P<subject>[^?]+?)"
_WHERE = (r"(?:\s+(?:anywhere|at\s+all|ever|even|somewhere|in\s+(?:any\s+of\s+)?(?:the|these|this|my|our|any)\s+"
          r"(?:sources?|articles?|outlets?|documents?|pieces?|texts?|collection|notebook|reports?)|by\s+(?:any|the)\s+"
          r"(?:sources?|articles?|outlets?|authors?)))*\s*[?.!]*\s*$")
_PATTERNS = (
    # "Is Israel mentioned anywhere in the sources?", "Are sanctions discussed?"
    re.compile(rf"^\s*(?:is|are|was|were)\s+(?:there\s+)?{_SUBJECT}\s+(?:ever\s+|even\s+|at\s+all\s+)?"
               rf"(?:mentioned|named|discussed|referred\s+to|cited|brought\s+up){_WHERE}", re.I),
    # "Do the sources mention Israel?", "Does any article talk about sanctions?", "Does Alwaght mention the CSTO?"
    re.compile(rf"^\s*(?:do|does|did)\s+(?P<who>[^?]+?)\s+(?:ever\s+)?{_VERB}\s+{_SUBJECT}{_WHERE}", re.I),
    # "Is there any mention of Israel?", "Are there references to sanctions in the articles?"
    re.compile(rf"^\s*(?:is|are)\s+there\s+(?:any\s+)?(?:mention|reference|word)s?\s+(?:of|to|about)\s+{_SUBJECT}"
               rf"{_WHERE}", re.I),
    # "Which sources mention Israel?", "What articles talk about sanctions?"
    re.compile(rf"^\s*(?:which|what)\s+(?:of\s+the\s+)?(?:sources?|articles?|outlets?|documents?|pieces?|authors?|"
               rf"reports?)\s+{_VERB}\s+{_SUBJECT}{_WHERE}", re.I),
)


# Who is asked whether they mention something: the sources ("any of the articles", "the Lavrov explainer"), not
# a person in them ("Did Lavrov mention ...?" asks what Lavrov said).
_SOURCE_WORDS = re.compile(r"\b(?:sources?|articles?|outlets?|documents?|pieces?|texts?|reports?|authors?|writers?|"
                           r"explainer|op-ed|editorial|story|stories|analysis|collection|they|it)\b", re.I)


_LINKS = frozenset("against between among within without toward towards across around during under over".split())


@dataclass(frozen=True)
class Mention:
    """What a mention question asks about: its names (word, capitalised run) and its other content words, and
    who it asks ("" when the question names no one: "Is Israel mentioned?")."""

    subject: str
    names: tuple[tuple[str, tuple[str, ...]], ...]
    words: tuple[str, ...]
    who: str = ""

    def asks_sources(self, designated: bool) -> bool:
        """Whether the question asks the sources (or one designated by outlet or author) rather than a person."""
        return not self.who or designated or bool(_SOURCE_WORDS.search(self.who))

    def in_line(self, line: str, names_only: bool = False) -> bool:
        """Every name of the subject is mentioned in the line (in any of its forms) and every content word
        ("sanctions against Russia": a line on Russia is no mention of sanctions); with `names_only`, the names
        alone ("the Lachin corridor" where the sources say "the Lachin crossing")."""
        passage = PassageNames(line)  # forms too: "sanctioned" mentions sanctions, "Russian" Russia
        named = all(passage.names(w, run) for w, run in self.names)
        if names_only:
            return bool(self.names) and named
        return bool(self.names or self.words) and named and all(passage.mentions(w, (w,)) for w in self.words)


def mention_subject(question: str) -> Mention | None:
    """The subject of a question that asks whether (or which) sources mention something; None for any other."""
    for pattern in _PATTERNS:
        match = pattern.match(question)
        if match is None:
            continue
        subject = re.sub(r"^(?:the|a|an|any)\s+", "", match.group("subject").strip(" ,"), flags=re.I)
        names = tuple((w, tuple(run)) for run in cap_runs(subject) for w in run if is_name(w))
        named = {t for n, _ in names for t in tokenize(n)}  # "U.S." is a name, not the words "u" and "s"
        words = tuple(w for w in tokenize(subject) if w not in named and w not in _LINKS)
        who = match.groupdict().get("who") or ""
        if names or words:
            return Mention(subject=subject, names=names, words=words, who=who.strip())
    return None


def mentioning_lines(mention: Mention, doc_ids: Sequence[str], records: Mapping[str, DocumentRecord],
                     text_of: Callable[[str], str]) -> tuple[list[Evidence], list[str]]:
    """Each document's first line that mentions the subject (headings and debris are no lines), numbered from 1
    in the documents' order; and the documents that never mention it. When no line has all of the subject's
    words, its names alone will do: the lines on "Lachin" answer a question on "the Lachin corridor". Each
    document is read once, for both tries."""
    lines = {d: list(document_lines(d, records[d], text_of(d))) if d in records else [] for d in doc_ids}
    found, silent = _first_lines(mention, lines, names_only=False)
    if not found and mention.names and mention.words:
        return _first_lines(mention, lines, names_only=True)
    return found, silent


def _first_lines(mention: Mention, lines: Mapping[str, Sequence[Evidence]],
                 names_only: bool) -> tuple[list[Evidence], list[str]]:
    found: list[Evidence] = []
    silent: list[str] = []
    for doc_id, doc_lines in lines.items():
        line = next((e for e in doc_lines if mention.in_line(e.text, names_only)), None)
        if line is None:
            silent.append(doc_id)
        else:
            found.append(line.model_copy(update={"n": len(found) + 1}))
    return found, silent


def mention_answer(mention: Mention, doc_ids: Sequence[str], records: Mapping[str, DocumentRecord],
                   text_of: Callable[[str], str], base: Mapping[str, Any], timings: dict[str, float]) -> CitedAnswer:
    """Where each source mentions what the question asks about, quoted, the others named as silent; or a
    refusal that says no source (or not the one asked) mentions it."""
    lines, silent = mentioning_lines(mention, doc_ids, records, text_of)
    labels = tuple(source_label(records.get(d)) for d in silent)
    base = {**base, "evidence": tuple(lines)}
    if not lines:
        whom = sources_do(labels if len(doc_ids) == 1 else ())
        gate = AnswerGate(kind="missing", message=f"{whom} not mention {mention.subject}.", missing=(mention.subject,))
        return refusal_answer(base, timings, related=(), gate=gate)
    return CitedAnswer(sentences=tuple(quote_sentence(e, ("mention",)) for e in lines), refused=False,
                       timings=timings, silent=labels, **base)
