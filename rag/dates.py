"""Dates as news text writes them ("May 19", "autumn 2020", "2011-2020", "19 May 2023"), with a sort key: for
the briefing's timeline and the chat's timeline answers alike."""

from __future__ import annotations

import re

__all__ = ["DATE", "find_dates"]

_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_SEASONS = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1, "early": 2, "mid": 6, "late": 11}
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
DATE = re.compile(
    rf"\b(?:(?P<day1>\d{{1,2}})\s+(?P<month1>{_MONTH})\s+(?P<year1>{_YEAR})"
    rf"|(?P<month2>{_MONTH})\s+(?P<day2>\d{{1,2}})(?:,\s*(?P<year2>{_YEAR}))?\b"
    rf"|(?P<season>(?:[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all|[Ww]inter|[Ee]arly|[Mm]id|[Ll]ate)(?:-|\s+))?"
    rf"(?P<month3>{_MONTH}\s+)?(?P<year3>{_YEAR})(?:\s*[-–]\s*(?P<until>{_YEAR}))?)\b"
    r"(?!\s+(?:troops|soldiers|people|men|tons|tonnes|units|km|kilometers|kilometres|dollars|euros)\b)")


def find_dates(text: str) -> list[tuple[str, str]]:
    """(date as written, yyyy-mm-dd sort key with zeros where unknown; 9999 for a year not stated)."""
    out = []
    for m in DATE.finditer(text):
        year = m.group("year1") or m.group("year2") or m.group("year3")
        month_name = (m.group("month1") or m.group("month2") or m.group("month3") or "").strip().lower()
        day = m.group("day1") or m.group("day2") or ""
        month = _MONTHS.index(month_name) + 1 if month_name else 0
        season = (m.group("season") or "").strip(" -").lower()
        if not month and season:
            month = _SEASONS.get(season, 0)
        key = f"{year or '9999'}-{month:02d}-{int(day or 0):02d}"
        out.append((m.group(0).strip(), key))
    return out
