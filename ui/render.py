"""HTML renderings for the app: answers with clickable citations, documents with highlights.

Everything that comes from a document or a model is escaped; the only markup is ours.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from html import escape

from rag.render import by_source_markdown, position_note, removed_lines, sentence_badge, verdict_detail
from rag.types import AnswerSentence, CitedAnswer, DocumentRecord, Evidence, Removed, SearchHit

__all__ = [
    "CITE_JS",
    "CSS",
    "answer_html",
    "by_source_html",
    "chat_markdown",
    "document_html",
    "evidence_html",
    "export_name",
    "related_html",
    "removed_html",
    "silent_html",
    "sources_rows",
]

# Characters of document shown around a quote when the document is long.
_WINDOW = 1500

CSS = """
.sb-answer { line-height: 1.6; }
.sb-cite { cursor: pointer; color: var(--link-text-color, #2563eb); font-weight: 600; font-size: 0.8em;
           vertical-align: super; padding: 0 1px; border: none; background: none; }
.sb-cite.sb-active { text-decoration: underline; }
.sb-badge { font-size: 0.72em; border-radius: 4px; padding: 0 4px; margin-left: 3px; white-space: nowrap; }
.sb-supported { background: #dcfce7; color: #166534; }
.sb-unsupported, .sb-uncited { background: #fef3c7; color: #92400e; }
.sb-contradicted { background: #fee2e2; color: #991b1b; }
.sb-cited, .sb-refusal { background: #e5e7eb; color: #374151; }
.sb-passage { margin-top: 10px; border-left: 3px solid #2563eb; padding: 6px 10px;
              background: var(--block-background-fill); }
.sb-passage-head { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.sb-doc-text { max-height: 320px; overflow-y: auto; white-space: pre-wrap; font-size: 0.9em; }
.sb-doc-text mark { background: #fde68a; padding: 1px 0; }
.sb-related li { margin-bottom: 6px; }
.sb-by-source { border-collapse: collapse; font-size: 0.88em; margin-top: 8px; }
.sb-by-source th, .sb-by-source td { border: 1px solid var(--border-color-primary, #e5e7eb); padding: 3px 6px;
                                     vertical-align: top; text-align: left; }
.sb-removed { font-size: 0.85em; color: var(--body-text-color-subdued); white-space: pre-wrap; }
"""

# Runs once per HTML component (gr.HTML js_on_load); delegation keeps working when the value changes.
CITE_JS = """
element.addEventListener('click', (event) => {
  const mark = event.target.closest('[data-cite]');
  if (!mark) return;
  const box = mark.closest('.sb-answer');
  box.querySelectorAll('.sb-passage').forEach((p) => { p.hidden = p.dataset.n !== mark.dataset.cite; });
  box.querySelectorAll('.sb-cite').forEach((c) => c.classList.toggle('sb-active', c === mark));
  const shown = box.querySelector('.sb-passage[data-n="' + mark.dataset.cite + '"] mark');
  if (shown) shown.scrollIntoView({block: 'nearest'});
});
"""


def _badge(sentence: AnswerSentence) -> str:
    label = sentence_badge(sentence)
    kind = label.split()[0]
    title = f"verifier verdict: {verdict_detail(sentence)}" if sentence.verdict else "citation check"
    return f'<span class="sb-badge sb-{escape(kind)}" title="{escape(title)}">{escape(label)}</span>'


def _highlighted(text: str, start: int, end: int) -> str:
    """The document with [start, end) marked; long documents are cut to a window around it."""
    lo, hi = 0, len(text)
    if len(text) > 2 * _WINDOW + (end - start):
        lo, hi = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
    head = ("…" if lo else "") + escape(text[lo:start])
    tail = escape(text[end:hi]) + ("…" if hi < len(text) else "")
    return f"{head}<mark>{escape(text[start:end])}</mark>{tail}"


def silent_html(answer: CitedAnswer) -> str:
    """The sources a comparative answer heard that say nothing on the question."""
    if not answer.silent:
        return ""
    return f'<p class="sb-passage-head">Nothing on this from: {escape(", ".join(answer.silent))}.</p>'


def by_source_html(answer: CitedAnswer) -> str:
    """A comparative answer as a table: each source's position, the quote it rests on, and how it was
    checked; the silent sources last."""
    if not answer.by_source:
        return silent_html(answer)
    rows = "".join(
        f"<tr><td><b>{escape(r.source)}</b></td><td>{escape(r.position) or '—'}"
        f"{f' [{r.n}]' if r.n is not None else ''}</td><td>{f'“{escape(r.quote)}”' if r.quote else '—'}</td>"
        f"<td>{escape(position_note(r))}</td></tr>" for r in answer.by_source)
    return ('<table class="sb-by-source"><thead><tr><th>Source</th><th>Position</th><th>Quote</th><th>Check</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>")


def removed_html(answer: CitedAnswer) -> str:
    """A collapsed list of what a guarded answer removed, and why."""
    lines = removed_lines(answer)
    if not lines:
        return ""
    items = "".join(f"<li>{escape(r.text)} <i>({escape(r.reason)})</i></li>" for r in answer.removed)
    return (f'<details class="sb-removed-list"><summary>{escape(lines[0])}</summary><ul class="sb-removed">'
            f"{items}</ul></details>")


def evidence_html(evidence: Sequence[Evidence]) -> str:
    """The closest evidence sentences with their sources, shown with a refusal or a corrected premise."""
    items = "".join(f"<li><b>{escape(e.source)}</b> ({escape(e.file_name)}, characters {e.start}-{e.end}): "
                    f"“{escape(e.text)}”</li>" for e in evidence)
    return f'<div class="sb-related"><p class="sb-passage-head">Related passages</p><ul>{items}</ul></div>'


def answer_html(answer: CitedAnswer, document_text: Callable[[str], str | None]) -> str:
    """The answer with numbered citation markers; clicking one shows its quote inside its document."""
    if answer.refused:
        body = " ".join(f"{escape(s.text)}" for s in answer.sentences)
        body = f'<p>{body} {_badge(answer.sentences[-1])}</p>'
        related = evidence_html(answer.related) if answer.related else related_html(answer.retrieved)
        return f'<div class="sb-answer">{body}{related}{removed_html(answer)}</div>'
    parts, passages = [], {}
    for sentence in answer.sentences:
        marks = "".join(
            f'<button type="button" class="sb-cite" data-cite="{c.n}" title="{escape(c.quote)}">[{c.n}]</button>'
            for c in sentence.citations)
        parts.append(f"{escape(sentence.text)}{marks}{_badge(sentence)}")
        for c in sentence.citations:
            if c.n in passages:
                continue
            text = document_text(c.doc_id)
            shown = _highlighted(text, c.start, c.end) if text is not None else f"<mark>{escape(c.quote)}</mark>"
            passages[c.n] = (f'<div class="sb-passage" data-n="{c.n}" hidden>'
                             f'<div class="sb-passage-head">[{c.n}] {escape(c.title)} ({escape(c.file_name)}), '
                             f'characters {c.start}-{c.end}</div><div class="sb-doc-text">{shown}</div></div>')
    hint = '<p class="sb-passage-head">Click a marker to see the quoted passage in its document.</p>' \
        if passages else ""
    return (f'<div class="sb-answer"><p>{" ".join(parts)}</p>{hint}'
            f'{by_source_html(answer)}{"".join(passages[n] for n in sorted(passages))}{removed_html(answer)}</div>')


def related_html(hits: Sequence[SearchHit], limit: int = 3) -> str:
    """Closest passages, shown when the answer is a refusal so the reader can look for themselves."""
    if not hits:
        return ""
    items = "".join(f"<li><b>{escape(h.title)}</b> ({escape(h.file_name)}): {escape(h.chunk.text[:300])}…</li>"
                    for h in hits[:limit])
    return f'<div class="sb-related"><p class="sb-passage-head">Related passages</p><ul>{items}</ul></div>'


def chat_markdown(answer: CitedAnswer) -> str:
    """The answer as the chat shows it: sentences, citation numbers and support labels, then (in
    italics) how many sentences a guarded answer removed; the answer panel lists them with reasons."""
    out = []
    for sentence in answer.sentences:
        marks = "".join(f"[{c.n}]" for c in sentence.citations)
        out.append(f"{sentence.text} {marks} `{sentence_badge(sentence)}`".replace("  ", " "))
    text = " ".join(out)
    if answer.by_source:  # who says what, one row per source; the panel adds the quotes
        text = "\n".join(by_source_markdown(answer, quotes=False))
    elif answer.silent:
        text += f"\n\n_Nothing on this from: {', '.join(answer.silent)}._"
    if answer.removed:
        text += f"\n\n_{removed_lines(answer)[0]} (see the answer panel)_"
    return text


def document_html(text: str, removed: Sequence[Removed]) -> str:
    """A document's cleaned text, and what cleaning removed from it."""
    cut = "".join(f"[{escape(r.reason)}] {escape(r.text[:200])}\n" for r in removed)
    removed_part = (f'<details><summary>Removed by cleaning ({len(removed)})</summary>'
                    f'<div class="sb-removed">{cut}</div></details>') if removed else ""
    return f'<div class="sb-doc-text" style="max-height:480px">{escape(text)}</div>{removed_part}'


def sources_rows(records: Sequence[DocumentRecord]) -> list[list[object]]:
    return [[r.id, r.file_name, r.title, r.outlet or "", r.author or "", r.format, r.chars, r.chunks,
             r.ingested_at] for r in records]


def export_name(answer: CitedAnswer) -> str:
    return "answer-" + hashlib.sha256(answer.question.encode()).hexdigest()[:8] + ".md"
