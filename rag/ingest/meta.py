"""Document metadata stated by the text itself: title, outlet, author."""

from __future__ import annotations

import re

from rag.types import LoadedText

__all__ = ["META_VERSION", "find_author", "find_outlet", "find_title"]

META_VERSION = "1"

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_DATELINE_OUTLET = re.compile(r"^(?P<name>[A-Z][\w&.'’]+(?: [A-Z][\w&.'’]+){0,3})-\s+[A-Z]")
_DATELINE_PREFIX = re.compile(r"^[A-Z][\w&.'’]+(?: [A-Z][\w&.'’]+){0,3}-\s+(?=[A-Z])")
_QUOTED_OUTLET = re.compile(
    r"^[\"“](?P<name>[A-Z][^\"”]{2,40})[\"”]\s+(?:seeks|is|publishes|offers|reports|invites|welcomes)\b", re.M)
_BYLINE = re.compile(r"^By\s+(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3})\s*$", re.M)
_NAME_LINE = re.compile(r"^(?P<name>[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){1,2})$")


def find_title(loaded: LoadedText, cleaned: str) -> str:
    """The format's own title, else the first heading, else a short heading-like line near the top."""
    if loaded.title:
        return loaded.title.strip()
    lines = [line.strip() for line in cleaned.split("\n") if line.strip()]
    for line in lines[:20]:
        heading = _HEADING.match(line)
        if heading:
            return heading.group(1)
    for line in lines[:5]:
        words = line.split()
        if 3 <= len(words) <= 25 and len(line) <= 150 and not line.endswith((".", ":", ",")):
            return line
    first = _DATELINE_PREFIX.sub("", lines[0]) if lines else "Untitled"
    return first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "..."


def find_outlet(raw: str) -> str | None:
    """An outlet named by the text: a dateline prefix ("Alwaght- ...") or a quoted house name."""
    for line in [line.strip() for line in raw.split("\n") if line.strip()][:6]:
        match = _DATELINE_OUTLET.match(line)
        if match:
            return match.group("name")
    quoted = _QUOTED_OUTLET.search(raw)
    return quoted.group("name").strip() if quoted else None


def find_author(loaded: LoadedText, raw: str) -> str | None:
    """The author from format metadata, a byline, or an author box ("Name" then "Name is a ...")."""
    if loaded.author:
        return loaded.author.strip()
    byline = _BYLINE.search(raw)
    if byline:
        return byline.group("name")
    lines = [line.strip() for line in raw.split("\n") if line.strip()]
    for i, line in enumerate(lines):
        match = _NAME_LINE.match(line)
        if match is None:
            continue
        name = match.group("name")
        if any(later.startswith(f"{name} is ") for later in lines[i + 1:i + 3]):
            return name
    return None
