"""Table rows and list items, read with what they sit under.

Articles put their most condensed facts in tables ("Russia | Primary mediator | Rejects U.S.
involvement |") and short lists, but a row or an item alone is no sentence: it needs its table's
header or its list's heading to be read. These helpers find that context in a chunk's lines and
render a line with it ("Party: Russia; Role in Negotiations: Primary mediator; ..."). The quote a
citation points at stays the line itself, at its exact offsets; the context is shown beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.types import Sentence

__all__ = ["is_list_item", "is_separator", "line_contexts", "read_with", "structured_evidence", "table_cells"]

_SEPARATOR = re.compile(r"^[\s|:+-]*-{2,}[\s|:+-]*$")
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+(?=\S)")
_CLOSING = tuple('.!"”’\')…')
_HEADING_WORDS = 15
_HEADER_WORDS = 4  # words in a header cell at most
_LOOK_BACK = 1  # the line just above a list is its heading, or it has none (a lead-in sentence is no heading)


def table_cells(line: str) -> list[str] | None:
    """The non-empty cells of a table row ("a | b | c |"), or None when the line is no row (two cells at least)."""
    if "|" not in line or is_separator(line):
        return None
    cells = [c.strip() for c in line.split("|")]
    cells = [c for c in cells if c]
    return cells if len(cells) >= 2 else None


def is_separator(line: str) -> bool:
    """A table's rule line ("---|---|---|")."""
    return "|" in line and bool(_SEPARATOR.match(line))


def is_list_item(line: str) -> bool:
    return bool(_BULLET.match(line))


def _is_heading(text: str) -> bool:
    """A line a list can sit under: one ending in a colon, or a short line that is not a sentence."""
    text = text.strip()
    if text.endswith(":"):
        return len(text.split()) >= 2
    words = len(text.split())
    return 2 <= words < _HEADING_WORDS and not text.endswith(_CLOSING) and not text.endswith("?") \
        and table_cells(text) is None and not is_list_item(text)


def _starts_line(text: str, sentence: Sentence) -> bool:
    before = text[:sentence.start].rstrip(" \t")
    return not before or before.endswith("\n")


def line_contexts(text: str, sentences: Sequence[Sentence]) -> dict[int, str]:
    """Sentence index -> the line it is read under: a table row's header (the table's first row, with or without
    a rule line under it), or a list item's heading (the line just above the list, when it ends in a colon or
    is a heading). A list after a paragraph gets none: a section heading above that paragraph belongs to the
    paragraph as much as to the list. Sentences of ordinary prose get none."""
    out: dict[int, str] = {}
    header: list[str] | None = None
    header_text = ""
    heading: str | None = None
    in_list = False
    in_table = False
    lines_since: list[str] = []  # the last few prose lines before the current list, nearest first
    prose = False  # whether the current line is prose (not a row or an item)
    for i, sentence in enumerate(sentences):
        if not _starts_line(text, sentence):
            if prose and lines_since:  # a line of prose is remembered by its last sentence ("... include:")
                lines_since[0] = sentence.text
            continue
        line = sentence.text
        prose = False
        if is_separator(line):  # the rule under a header row (cleaned text has none)
            continue
        if (cells := table_cells(line)) is not None:
            if not in_table:  # a table's first row is its header; at a chunk's start only if it reads as one
                header, header_text = (cells, line) if i or _header_like(cells) else (None, "")
                in_table = True
            elif header is not None and cells != header:
                out[i] = header_text
            in_list = False
            continue
        in_table = False
        header = None
        if is_list_item(line):
            if not in_list:
                heading = _list_heading(lines_since)
                in_list = True
            if heading is not None:
                out[i] = heading
            continue
        in_list = False
        prose = True
        lines_since = [line, *lines_since[:_LOOK_BACK - 1]]
    return out


def _header_like(cells: Sequence[str]) -> bool:
    """Whether a row at a chunk's start is a header rather than a row cut from its table: short names
    ("Aspect | Russia's Strategic Interest | Potential Outcome"), no figures, no sentence."""
    return all(len(c.split()) <= _HEADER_WORDS and not any(ch.isdigit() for ch in c) and not c.endswith(_CLOSING)
               for c in cells)


def _list_heading(lines_above: Sequence[str]) -> str | None:
    if not lines_above:
        return None
    if lines_above[0].rstrip().endswith(":"):
        return lines_above[0].strip()
    return next((line.strip() for line in lines_above if _is_heading(line)), None)


def read_with(text: str, context: str) -> str:
    """A line as it is read: a table row with its header's names ("Party: Russia; Role: Primary mediator"), a
    list item after its heading ("Key takeaways: Russia offers to mediate ..."); the line itself without one."""
    if not context:
        return text
    cells, names = table_cells(text), table_cells(context)
    if cells is not None and names is not None:
        pairs = [f"{name}: {cell}" for name, cell in zip(names, cells, strict=False)]
        return "; ".join(pairs + cells[len(names):])
    item = _BULLET.sub("", text, count=1)
    return f"{context.rstrip().rstrip(':')}: {item}"


def structured_evidence(text: str, context: str) -> bool:
    """Whether a table row or list item can be evidence: a row of at least two cells and three words below a
    header, or a list item of three words or more (a one-word bullet says nothing)."""
    if table_cells(text) is not None:
        return bool(context) and len(text.replace("|", " ").split()) >= 3
    return is_list_item(text) and len(_BULLET.sub("", text, count=1).split()) >= 3
