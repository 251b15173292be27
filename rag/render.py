"""Plain renderings of typed results: Markdown with footnotes that carry the quoted span."""

from __future__ import annotations

from collections.abc import Sequence

from rag.types import AnswerSentence, Citation, CitedAnswer, SourcePosition, Verdict

__all__ = ["answer_lines", "answer_markdown", "by_source_markdown", "position_note", "removed_lines", "sentence_badge",
           "under", "verdict_badge", "verdict_detail"]


def verdict_badge(verdict: Verdict | None, flags: Sequence[str] = (), unverified: str = "cited") -> str:
    """The one short support label of a sentence, in answers, briefings and guides: the verifier's verdict
    ("supported 0.91"), else "refusal", "" for a note, "uncited", or `unverified` ("cited", "not verified")."""
    if verdict is not None:
        return f"{verdict.label} {verdict.score:.2f}"
    if "refusal" in flags:
        return "refusal"
    if "note" in flags:
        return ""
    return "uncited" if "uncited" in flags else unverified


def sentence_badge(sentence: AnswerSentence) -> str:
    """A short support label: the verifier's verdict, else what the citation checks found."""
    return verdict_badge(sentence.verdict, sentence.flags)


_SIGNAL_NAMES = {"model": "judge", "coverage": "word coverage", "similarity": "closest sentence"}


def verdict_detail(sentence: AnswerSentence) -> str:
    """Why the verdict: the signals its score combines and what the checks found."""
    verdict = sentence.verdict
    if verdict is None:
        return "not verified"
    parts = [f"{_SIGNAL_NAMES.get(k, k)} {v:.2f}" for k, v in verdict.signals.items()]
    detail = f"{verdict.label} {verdict.score:.2f}" + (f" ({', '.join(parts)})" if parts else "")
    return detail + (f"; checks: {'; '.join(verdict.issues)}" if verdict.issues else "")


def under(citation: Citation) -> str:
    """What a quoted table row or list item is read under: ' (under "Party | Role | Stance")', else ''."""
    return f' (under "{citation.context}")' if citation.context else ""


def removed_lines(answer: CitedAnswer) -> list[str]:
    """What a guarded answer did not show, and why: "removed: 1 sentence (number 2022 not in the passage)"."""
    if not answer.removed:
        return []
    count = len(answer.removed)
    head = f"removed: {count} sentence{'s' if count > 1 else ''} the sources do not support"
    return [head, *(f'  - "{r.text}" ({r.reason})' for r in answer.removed)]


def position_note(row: SourcePosition) -> str:
    """How a comparative answer's row was settled: "supported, written by the model", "verbatim quote", "silent"."""
    if row.written == "silent":
        return "nothing on this"
    if row.written == "quote":
        return "verbatim quote"
    return f"{row.verdict or 'not verified'}, model's sentence"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def by_source_markdown(answer: CitedAnswer, quotes: bool = True) -> list[str]:
    """A comparative answer as a Markdown table: source, position, (the quote it rests on,) how it was settled."""
    if not answer.by_source:
        return []
    head = ["Source", "Position", *(["Quote"] if quotes else []), "Check"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in answer.by_source:
        cite = f" [{row.n}]" if row.n is not None else ""
        cells = [row.source, (row.position + cite) if row.position else "—",
                 *([f"“{row.quote}”" if row.quote else "—"] if quotes else []), position_note(row)]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def answer_markdown(answer: CitedAnswer, *, title: bool = True) -> str:
    """The answer as Markdown: footnote markers per sentence, then each cited quote verbatim."""
    lines = [f"**Q:** {answer.question}", ""] if title else []
    body = []
    for sentence in answer.sentences:
        marks = "".join(f"[^{c.n}]" for c in sentence.citations)
        flag = " *(uncited)*" if "uncited" in sentence.flags else ""
        body.append(f"{sentence.text}{marks}{flag}")
    lines.append(" ".join(body))
    notes: dict[int, str] = {}
    for sentence in answer.sentences:
        for c in sentence.citations:
            verdict = f" (verdict: {sentence_badge(sentence)})" if sentence.verdict else ""
            notes.setdefault(c.n, f'[^{c.n}]: {c.file_name}, characters {c.start}-{c.end}: "{c.quote}"'
                                  f"{under(c)}{verdict}")
    if notes:
        lines += ["", *[notes[n] for n in sorted(notes)]]
    if answer.by_source:
        lines += ["", "**By source**", "", *by_source_markdown(answer)]
    elif answer.silent:
        lines += ["", f"*Nothing on this from: {', '.join(answer.silent)}.*"]
    if answer.related and answer.declined:
        lines += ["", "Related passages:", *(f'- {e.source} ({e.file_name}, characters {e.start}-{e.end}): "{e.text}"'
                                             for e in answer.related)]
    if answer.removed:
        lines += ["", "<details><summary>" + removed_lines(answer)[0] + "</summary>", "",
                  *(line.strip() for line in removed_lines(answer)[1:]), "", "</details>"]
    if answer.provenance:
        lines += ["", "<!-- " + ", ".join(f"{k}={v}" for k, v in sorted(answer.provenance.items())) + " -->"]
    return "\n".join(lines) + "\n"


def answer_lines(answer: CitedAnswer) -> list[str]:
    """The answer as plain text lines, as `sourcebrief ask` prints it: each sentence with its citation numbers,
    verdict and flags; each cited quote with file and offsets; silent sources, removed sentences, and the
    related passages of a refusal or a corrected premise."""
    lines = []
    for sentence in answer.sentences:
        marks = "".join(f"[{c.n}]" for c in sentence.citations)
        notes = [*sentence.flags] if "refusal" not in sentence.flags else []
        if sentence.verdict is not None:
            notes.insert(0, verdict_badge(sentence.verdict))
        lines.append(f"{sentence.text} {marks}" + (f"  ({', '.join(notes)})" if notes else ""))
    shown: dict[int, Citation] = {}
    for sentence in answer.sentences:
        for c in sentence.citations:
            shown.setdefault(c.n, c)
    lines += [f'  [{n}] {c.file_name} [{c.start}:{c.end}] "{c.quote}"{under(c)}' for n, c in sorted(shown.items())]
    if answer.silent:
        lines.append(f"Nothing on this from: {', '.join(answer.silent)}.")
    lines += removed_lines(answer)
    if answer.related:
        lines.append("Related passages:")
        lines += [f'  {e.file_name} [{e.start}:{e.end}] ({e.source}) "{e.text}"' for e in answer.related]
    elif answer.refused and answer.retrieved:
        lines.append("Related passages:")
        lines += [f"  {h.file_name} [{h.chunk.start}:{h.chunk.end}] {h.chunk.text[:160]}..."
                  for h in answer.retrieved[:3]]
    return lines
