"""Plain renderings of typed results: Markdown with footnotes that carry the quoted span."""

from __future__ import annotations

from rag.types import AnswerSentence, CitedAnswer

__all__ = ["answer_markdown", "sentence_badge"]


def sentence_badge(sentence: AnswerSentence) -> str:
    """A short support label: the verifier's verdict, else what the citation checks found."""
    if sentence.verdict is not None:
        return f"{sentence.verdict.label} {sentence.verdict.score:.2f}"
    if "refusal" in sentence.flags:
        return "refusal"
    return "uncited" if "uncited" in sentence.flags else "cited"


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
            notes.setdefault(c.n, f'[^{c.n}]: {c.file_name}, characters {c.start}-{c.end}: "{c.quote}"{verdict}')
    if notes:
        lines += ["", *[notes[n] for n in sorted(notes)]]
    if answer.provenance:
        lines += ["", "<!-- " + ", ".join(f"{k}={v}" for k, v in sorted(answer.provenance.items())) + " -->"]
    return "\n".join(lines) + "\n"
