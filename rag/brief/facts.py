"""Figures, dates and people found by rules: cheap, exact, and better than a 1.5B model at it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rag.brief.types import Fact
from rag.dates import DATE, find_dates
from rag.types import Evidence

__all__ = ["extract_facts", "find_figures"]

_FIGURE = re.compile(
    r"(?<![\w.])(?P<value>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d’'s])(?P<unit>\s*(?:%|per\s?cent|percent)|"
    r"\s+(?:million|billion|thousand)?\s*[A-Za-z][\w-]+(?:\s+(?:kilometers|kilometres|miles|metres|meters|"
    r"dollars|troops|people))?)?")


def find_figures(text: str) -> list[str]:
    """Figures stated with what they count ("94 per cent", "2000 troops", "86,000 square kilometers");
    years, days of the month and bare small numbers are left out."""
    years = {span for m in DATE.finditer(text) for span in [(m.start(), m.end())]}
    out = []
    for m in _FIGURE.finditer(text):
        if any(a <= m.start() < b for a, b in years):
            continue
        value = m.group("value").replace(",", "")
        unit = (m.group("unit") or "").strip()
        if unit.split(" ")[0] in {"and", "or", "to", "of", "the", "in", "on", "at", "with", "by", "for"}:
            unit = ""
        percent = unit in {"%", "percent"} or unit.startswith("per")
        if float(value) < 100 and not percent:
            continue  # channel names, days, small counts: rarely the figures a reader needs
        out.append(m.group("value") + ("%" if unit == "%" else f" {unit}" if unit else ""))
    return out


def extract_facts(doc_id: str, sentences: Sequence[Evidence], speakers: Mapping[int, tuple[str, int]]) -> list[Fact]:
    """Every figure and date in the document's sentences, and each person quoted (where first named)."""
    facts: list[Fact] = []
    for e in sentences:
        facts += [Fact(kind="figure", value=value, doc_id=doc_id, sentence=e.n) for value in find_figures(e.text)]
        facts += [Fact(kind="date", value=value, doc_id=doc_id, sentence=e.n, sort_key=key)
                  for value, key in find_dates(e.text)]
    seen: set[str] = set()
    for _n, (name, named_in) in sorted(speakers.items()):
        if len(name.split()) >= 2 and name not in seen and not re.search(r"Ministry|Institute|authorities", name):
            seen.add(name)
            facts.append(Fact(kind="person", value=name, doc_id=doc_id, sentence=named_in))
    return facts
