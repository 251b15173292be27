"""A source guide as Markdown (footnotes with file, offsets, quote and verdict; provenance at the end) or JSON."""

from __future__ import annotations

from typing import Literal

from rag.brief.types import BriefSentence
from rag.guide.types import SourceGuide
from rag.render import verdict_badge
from rag.types import Citation

__all__ = ["render_guide"]


def _badge(sentence: BriefSentence) -> str:
    return verdict_badge(sentence.verdict, unverified="not verified")


def render_guide(guide: SourceGuide, fmt: Literal["md", "json"] = "md") -> str:
    """Markdown (footnotes with file, offsets, quote and verdict; provenance at the end) or JSON."""
    if fmt == "json":
        return guide.model_dump_json(indent=2) + "\n"
    d = guide.doc
    lines = [f"# Guide: {d.title}", "",
             f"{d.file_name} · {d.outlet or d.author or 'no outlet or author stated'} · id {d.doc_id}", "",
             "## Summary", ""]
    for s in guide.summary:
        lines.append(f"- {s.text}{''.join(f'[^{c.n}]' for c in s.citations)} *({_badge(s)})*")
    lines += ["", "## Stance", ""]
    if guide.stance is not None:
        s = guide.stance
        lines.append(f"{s.text}{''.join(f'[^{c.n}]' for c in s.citations)} *({_badge(s)})*")
    else:
        lines.append("*The text states no position of its own plainly; it reports what others say.*")
    lines += ["", "## Key topics", "", ", ".join(guide.topics) or "*none found*", "",
              "## Suggested questions", ""]
    lines += [f"- {q.text} *(answer found at {q.passage.start}-{q.passage.end})*" for q in guide.questions]
    notes: dict[int, Citation] = {}
    for s in guide.sentences:
        for c in s.citations:
            notes.setdefault(c.n, c)
    lines.append("")
    for n, c in sorted(notes.items()):
        lines.append(f"[^{n}]: {c.file_name}, characters {c.start}-{c.end}: “{c.quote}”")
    p = guide.provenance
    lines += ["", "---", "", f"Generated {p.generated_at}; settings {p.settings_fingerprint}; guide {p.guide_key}; "
              f"verification {p.verify_mode}{f' ({p.verifier})' if p.verifier else ''}; "
              + "; ".join(f"{k} {v}" for k, v in sorted({**p.models, **p.prompts}.items()))
              + f"; {guide.timings.get('total', 0):.1f} s", ""]
    return "\n".join(lines)
