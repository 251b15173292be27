"""A briefing as Markdown (numbered footnotes with the quoted span and verdict), self-contained HTML
(citations are links whose title shows the quote) or JSON (the typed model). Each carries provenance."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Literal

from rag.brief.types import Briefing, BriefSentence, ClaimGroup, SourceDoc
from rag.render import verdict_badge
from rag.types import Citation

__all__ = ["Format", "render_briefing", "render_html", "render_json", "render_markdown"]

Format = Literal["md", "html", "json"]
_MARK = {"asserts": "asserts", "disputes": "disputes", "silent": "—"}


def _badge(sentence: BriefSentence) -> str:
    return verdict_badge(sentence.verdict, sentence.flags, unverified="not verified")


def _footnotes(briefing: Briefing) -> dict[int, tuple[Citation, str]]:
    """Footnote number -> (citation, verdict of the first sentence citing it)."""
    notes: dict[int, tuple[Citation, str]] = {}
    for sentence in [*briefing.sentences, *(e.sentence for e in briefing.timeline)]:
        for c in sentence.citations:
            notes.setdefault(c.n, (c, _badge(sentence)))
    for group in briefing.matrix:
        for cell in group.cells:
            if cell.quote is not None:
                notes.setdefault(cell.quote.n, (cell.quote, f"{cell.position} ({cell.judged_by})"))
    return dict(sorted(notes.items()))


def _provenance_lines(briefing: Briefing) -> list[tuple[str, str]]:
    p = briefing.provenance
    rows = [("run id", p.run_id), ("generated", p.generated_at), ("collection", p.collection),
            ("settings fingerprint", p.settings_fingerprint), ("verification", p.verify_mode
                                                               + (f" ({p.verifier})" if p.verifier else ""))]
    rows += [(f"model: {k}", v) for k, v in sorted(p.models.items())]
    rows += [(f"prompt: {k}", v) for k, v in sorted(p.prompts.items())]
    rows += [(f"document: {name}", doc_id) for name, doc_id in sorted(p.documents.items())]
    return rows


def _doc_named(doc: SourceDoc) -> str:
    return doc.outlet or doc.author or "no outlet or author stated"


# --- Markdown ------------------------------------------------------------------------------
def _md_sentence(sentence: BriefSentence) -> str:
    marks = "".join(f"[^{c.n}]" for c in sentence.citations)
    if "note" in sentence.flags:
        return f"*{sentence.text}*"
    lead = f"**{sentence.lead}** — " if sentence.lead else ""
    extra = [_badge(sentence)] + [f for f in sentence.flags if f in {"disputed", "hedged", "excerpt"}]
    return f"{lead}{sentence.text}{marks} *({', '.join(e for e in extra if e)})*"


def _md_matrix(groups: Iterable[ClaimGroup], docs: tuple[SourceDoc, ...]) -> list[str]:
    lines = ["| Claim | " + " | ".join(d.label.replace("|", "/") for d in docs) + " |",
             "|---|" + "---|" * len(docs)]
    for group in groups:
        cells = {c.doc_id: c for c in group.cells}
        row = []
        for d in docs:
            cell = cells.get(d.doc_id)
            if cell is None or cell.position == "silent":
                row.append("—")
            else:
                row.append(_MARK[cell.position] + (f"[^{cell.quote.n}]" if cell.quote else ""))
        lines.append(f"| {group.text.replace('|', '/')} | " + " | ".join(row) + " |")
    return lines


def render_markdown(briefing: Briefing) -> str:
    p = briefing.provenance
    out = [f"# {briefing.title}", "",
           f"Generated {p.generated_at} from collection `{p.collection}` (run `{p.run_id}`); "
           f"verification: {p.verify_mode}.", "", "## Documents", "",
           "| File | Title | Outlet / author | Document id |", "|---|---|---|---|"]
    out += [f"| {d.file_name} | {d.title.replace('|', '/')} | {_doc_named(d)} | `{d.doc_id}` |"
            for d in briefing.documents]
    for section in briefing.sections:
        out += ["", f"## {section.title}", ""]
        if section.key == "who_says_what" and briefing.matrix:
            out += [*_md_matrix(briefing.matrix, briefing.documents), ""]
        if not section.sentences:
            out.append("*Nothing to report.*")
        out += [f"- {_md_sentence(s)}" for s in section.sentences]
    notes = _footnotes(briefing)
    if notes:
        out += ["", "## Quoted passages", ""]
        out += [f'[^{n}]: {c.file_name}, characters {c.start}-{c.end}: "{c.quote}" ({verdict})'
                for n, (c, verdict) in notes.items()]
    out += ["", "## Provenance", ""]
    out += [f"- {k}: `{v}`" for k, v in _provenance_lines(briefing)]
    return "\n".join(out) + "\n"


# --- HTML ----------------------------------------------------------------------------------
_CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border:1px solid #ddd;padding:.3rem .5rem;
vertical-align:top}a.cite{text-decoration:none;font-size:.8em;vertical-align:super}
a.cite:hover{background:#ffeb99}.badge{font-size:.75em;color:#555;background:#f1f1f1;border-radius:.3rem;
padding:0 .3rem;margin-left:.3rem}.supported{color:#176317;background:#e3f5e3}
.unsupported,.contradicted{color:#8a1c1c;background:#fbe3e3}.note{color:#555;font-style:italic}
.lead{font-weight:600}.asserts{background:#eef7ee}.disputes{background:#fdeeee}
li:target,p:target{background:#fff7d6}blockquote{margin:.2rem 0 .2rem 1rem;color:#333}
.meta{color:#555;font-size:.9rem}
"""


def _cite_html(c: Citation) -> str:
    return (f'<a class="cite" href="#fn-{c.n}" title="{html.escape(c.file_name)}: '
            f'&quot;{html.escape(c.quote)}&quot;">[{c.n}]</a>')


def _sentence_html(sentence: BriefSentence) -> str:
    if "note" in sentence.flags:
        return f'<span class="note">{html.escape(sentence.text)}</span>'
    lead = f'<span class="lead">{html.escape(sentence.lead)}</span> — ' if sentence.lead else ""
    badge = _badge(sentence)
    label = sentence.verdict.label if sentence.verdict else ""
    cites = "".join(_cite_html(c) for c in sentence.citations)
    extra = "".join(f'<span class="badge">{f}</span>' for f in sentence.flags
                    if f in {"disputed", "hedged", "excerpt"})
    return f'{lead}{html.escape(sentence.text)}{cites}<span class="badge {label}">{html.escape(badge)}</span>{extra}'


def _matrix_html(briefing: Briefing) -> str:
    head = "".join(f"<th>{html.escape(d.label)}</th>" for d in briefing.documents)
    rows = []
    for group in briefing.matrix:
        cells = {c.doc_id: c for c in group.cells}
        tds = []
        for d in briefing.documents:
            cell = cells.get(d.doc_id)
            if cell is None or cell.position == "silent" or cell.quote is None:
                tds.append("<td>—</td>")
                continue
            tds.append(f'<td class="{cell.position}">{cell.position}{_cite_html(cell.quote)}'
                       f"<blockquote>“{html.escape(cell.quote.quote)}”</blockquote></td>")
        rows.append(f"<tr><td>{html.escape(group.text)}</td>{''.join(tds)}</tr>")
    return f"<table><tr><th>Claim</th>{head}</tr>{''.join(rows)}</table>"


def render_html(briefing: Briefing) -> str:
    p = briefing.provenance
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(briefing.title)}"
             f"</title><style>{_CSS}</style></head><body>", f"<h1>{html.escape(briefing.title)}</h1>",
             f'<p class="meta">Generated {html.escape(p.generated_at)} from collection <code>'
             f"{html.escape(p.collection)}</code> (run <code>{html.escape(p.run_id)}</code>); verification: "
             f"{html.escape(p.verify_mode)}.</p>", "<h2>Documents</h2><table><tr><th>File</th><th>Title</th>"
             "<th>Outlet / author</th><th>Document id</th></tr>"]
    parts += [f"<tr><td>{html.escape(d.file_name)}</td><td>{html.escape(d.title)}</td>"
              f"<td>{html.escape(_doc_named(d))}</td><td><code>{d.doc_id}</code></td></tr>" for d in briefing.documents]
    parts.append("</table>")
    for section in briefing.sections:
        parts.append(f'<h2 id="{section.key}">{html.escape(section.title)}</h2>')
        if section.key == "who_says_what" and briefing.matrix:
            parts.append(_matrix_html(briefing))
        if not section.sentences:
            parts.append('<p class="note">Nothing to report.</p>')
        parts.append("<ul>" + "".join(f"<li>{_sentence_html(s)}</li>" for s in section.sentences) + "</ul>")
    notes = _footnotes(briefing)
    if notes:
        parts.append("<h2>Quoted passages</h2><ol class=\"notes\">")
        parts += [f'<li id="fn-{n}" value="{n}">{html.escape(c.file_name)}, characters {c.start}-{c.end}:'
                  f"<blockquote>“{html.escape(c.quote)}”</blockquote><span class=\"badge\">{html.escape(v)}</span></li>"
                  for n, (c, v) in notes.items()]
        parts.append("</ol>")
    parts.append("<h2>Provenance</h2><table>")
    parts += [f"<tr><td>{html.escape(k)}</td><td><code>{html.escape(v)}</code></td></tr>"
              for k, v in _provenance_lines(briefing)]
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"


def render_json(briefing: Briefing) -> str:
    return briefing.model_dump_json(indent=2) + "\n"


def render_briefing(briefing: Briefing, fmt: Format) -> str:
    """The briefing in one of the output formats."""
    return {"md": render_markdown, "html": render_html, "json": render_json}[fmt](briefing)
