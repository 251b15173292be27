"""The source guide in the app: write (or load) a document's guide, render it, offer its questions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape as _e

from rag.errors import SourcebriefError
from rag.guide import SourceGuide
from rag.service import Service
from ui.handlers import UserFacingError

__all__ = ["GuideHandlers", "GuideView", "guide_html"]


@dataclass
class GuideView:
    guide: SourceGuide | None
    html: str
    questions: list[str]


def _badge(label: str | None, score: float | None) -> str:
    if label is None:
        return '<code class="sb-verdict">not verified</code>'
    return f'<code class="sb-verdict sb-{_e(label)}">{_e(label)} {score or 0:.2f}</code>'


def guide_html(guide: SourceGuide) -> str:
    """The guide with numbered citations (the quote in each marker's tooltip) and footnotes."""
    def sentence(s: object) -> str:
        from rag.brief import BriefSentence

        assert isinstance(s, BriefSentence)
        marks = "".join(f'<sup class="sb-cite" title="{_e(c.quote)}">[{c.n}]</sup>' for c in s.citations)
        verdict = s.verdict
        return f"{_e(s.text)}{marks} {_badge(verdict.label if verdict else None, verdict.score if verdict else None)}"

    d = guide.doc
    parts = [f'<div class="sb-guide"><h3>Guide: {_e(d.title)}</h3>',
             f"<p>{_e(d.outlet or d.author or 'no outlet or author stated')} · {_e(d.file_name)} · "
             f"content hash {_e(guide.content_hash)}</p><h4>Summary</h4><ul>"]
    parts += [f"<li>{sentence(s)}</li>" for s in guide.summary]
    parts.append("</ul><h4>Stance</h4>")
    parts.append(f"<p>{sentence(guide.stance)}</p>" if guide.stance is not None else
                 "<p><em>The text states no position of its own plainly; it reports what others say.</em></p>")
    parts.append("<h4>Key topics</h4><p>" + ", ".join(f"<span class=\"sb-topic\">{_e(t)}</span>"
                                                      for t in guide.topics) + "</p>")
    parts.append("<h4>Suggested questions</h4><ul>" + "".join(
        f'<li class="sb-suggested">{_e(q.text)}</li>' for q in guide.questions) + "</ul>")
    notes = {c.n: c for s in guide.sentences for c in s.citations}
    parts.append('<ol class="sb-notes">' + "".join(
        f'<li value="{n}">{_e(c.file_name)} [{c.start}:{c.end}] “{_e(c.quote)}”</li>'
        for n, c in sorted(notes.items())) + "</ol>")
    p = guide.provenance
    parts.append(f"<p><small>{_e(p.generated_at)} · settings {_e(p.settings_fingerprint)} · "
                 f"{_e(', '.join(sorted(p.prompts.values())))} · verification {_e(p.verify_mode)} · "
                 f"{guide.timings.get('total', 0):.1f} s</small></p></div>")
    return "".join(parts)


@dataclass
class GuideHandlers:
    service: Service

    def write(self, ref: str | None, on_progress: Callable[[str, int, int], None] | None = None) -> GuideView:
        """Write (or load from the cache) the picked document's guide."""
        if not ref:
            raise UserFacingError("pick a document first")
        try:
            guide = self.service.guide(ref, on_progress=on_progress)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
        return GuideView(guide=guide, html=guide_html(guide), questions=[q.text for q in guide.questions])

    def cached(self, ref: str | None) -> GuideView:
        """The picked document's guide if one was written already (never calls the model)."""
        empty = GuideView(guide=None, html="<p>No guide yet: press “Write guide”.</p>", questions=[])
        if not ref:
            return empty
        try:
            record = self.service.resolve_source(ref)
            if not self.service.guide_path(record.id).is_file():
                return empty
            return self.write(record.id)
        except SourcebriefError as exc:
            raise UserFacingError(str(exc)) from exc
