"""Boilerplate removal that keeps the article and records everything it takes out.

Rules work line by line (web text arrives as one paragraph per line). Each removal is kept
as a `Removed` entry so `sourcebrief sources show ID --removed` can show what went and why.
"""

from __future__ import annotations

import re

from rag.types import CleanedText, Removed

__all__ = ["CLEANER_VERSION", "clean_text"]

CLEANER_VERSION = "1"

_COOKIE = re.compile(r"\bcookies?\b", re.I)
_CONSENT = re.compile(
    r"\b(accept|consent|cookie policy|privacy policy|by (clicking|continuing|using)|"
    r"(this|our) (web)?site uses|manage (preferences|settings)|opt[ -]out)\b", re.I)
_AD_LINE = re.compile(
    r"^(advertisement|advertising|sponsored( content)?|promoted( content)?|ad|"
    r"story continues below( this)? advertisement|scroll to continue( with content)?)$", re.I)
_AD_INLINE = re.compile(r"[\s|]*\bADVERTISEMENT\b[\s|]*")
_BLURB = re.compile(
    r"\b(subscribe|sign up) (to|for) (our )?(free )?(newsletter|daily|weekly|updates|alerts)|"
    r"\bsend (your |a )?(cv|resume|résumé)\b|\bseeks? (local |freelance )?"
    r"(specialists|writers|contributors|journalists|correspondents|authors)\b|"
    r"\bwe('re| are) hiring\b|\bjoin our team\b|\bsupport (our|independent) journalism\b|"
    r"\bdonate now\b|\bfollow us on\b", re.I)
_NAV = re.compile(
    r"^(see also|related( articles| stories| posts)?|read more|more from|share( this)?( article| story)?|"
    r"tags?:?|print|email|tweet|share on (facebook|twitter|x|linkedin)|you may also like|"
    r"recommended( for you)?|most read|trending( now)?|back to top)$", re.I)
_COMMENTS_START = re.compile(
    r"^(\d+\s+)?(comments?|responses?|replies|leave a (reply|comment)|post a comment|"
    r"add a comment|join the discussion|reader comments)\b.{0,40}$", re.I)
_SPAM = re.compile(
    r"\byour (point of view|article|post|blog|writing) (caught|is|was|were|has)\b|"
    r"\bi have a question for you\b|\bthanks? (you )?for (sharing|this (great )?(post|article))\b|"
    r"\b(great|nice|awesome) (post|article|blog)\b|\b(check out|visit) my (site|blog|page)\b|"
    r"\bcan you help me\b", re.I)
_TABLE_SEPARATOR = re.compile(r"^[\s|:\-–—]+$")
_EMPTY_CELLS = re.compile(r"(\s*\|){2,}\s*$")
_TRAILING_PIPE = re.compile(r"\s*\|\s*$")
_TAG_LINE = re.compile(r"^\|\s*[\w'’ -]{1,30}(,\s*[\w'’ -]{1,30})+\s*$")
_COUNTER_SUFFIX = re.compile(r"^(?P<keep>[^.!?]{15,150}?[A-Za-z)])\s+(?P<junk>\d{1,2})$")


def _norm(line: str) -> str:
    return re.sub(r"[\s|]+", " ", line).strip().lower()


def _line_reason(line: str) -> str | None:
    """Why a whole line is boilerplate, or None to keep it."""
    stripped = line.strip()
    if _COOKIE.search(stripped) and _CONSENT.search(stripped):
        return "cookie-notice"
    bare = stripped.strip("| ").strip()
    if _AD_LINE.match(bare):
        return "advertising"
    if _BLURB.search(stripped) and len(stripped) < 600:
        return "newsletter-or-recruitment"
    if _NAV.match(bare):
        return "navigation"
    if _SPAM.search(stripped) and len(stripped) < 400:
        return "reader-comment"
    if "|" in stripped and _TABLE_SEPARATOR.match(stripped):
        return "table-junk"
    if _TAG_LINE.match(stripped):
        return "tag-line"
    return None


def _trim_line(line: str, index: int, removed: list[Removed]) -> str:
    """Remove inline junk from a kept line, recording what went."""
    out = line.rstrip()
    ads = _AD_INLINE.search(out)
    while ads is not None and "ADVERTISEMENT" in out:
        removed.append(Removed(reason="advertising", text=ads.group(0).strip(), line=index))
        out = (out[:ads.start()] + " " + out[ads.end():]).strip()
        ads = _AD_INLINE.search(out)
    cells = _EMPTY_CELLS.search(out)
    if cells is not None:
        removed.append(Removed(reason="table-junk", text=cells.group(0).strip(), line=index))
        out = out[:cells.start()]
    if "|" in out:
        out = _TRAILING_PIPE.sub("", out)
    if index < 5:
        counter = _COUNTER_SUFFIX.match(out)
        if counter is not None:
            removed.append(Removed(reason="counter", text=counter.group("junk"), line=index))
            out = counter.group("keep")
    return out


def _drop_repeats(lines: list[tuple[int, str]], removed: list[Removed]) -> list[tuple[int, str]]:
    """Drop repeated lines; for table rows also a truncated row that a later full row extends."""
    seen: set[str] = set()
    table_rows = [_norm(text) for _, text in lines if "|" in text]
    kept: list[tuple[int, str]] = []
    for index, text in lines:
        key = _norm(text)
        if len(key) >= 20 and key in seen:
            removed.append(Removed(reason="repeated-block", text=text, line=index))
            continue
        if "|" in text and any(row != key and row.startswith(key) for row in table_rows):
            removed.append(Removed(reason="repeated-block", text=text, line=index))
            continue
        seen.add(key)
        kept.append((index, text))
    return kept


def clean_text(text: str) -> CleanedText:
    """Strip boilerplate from extracted article text; the result is what gets chunked and cited."""
    removed: list[Removed] = []
    lines = text.split("\n")
    kept: list[tuple[int, str]] = []
    for index, raw in enumerate(lines):
        if not raw.strip():
            kept.append((index, ""))
            continue
        if _COMMENTS_START.match(raw.strip()) and index > len(lines) // 2:
            tail = "\n".join(line for line in lines[index:] if line.strip())
            removed.append(Removed(reason="reader-comments", text=tail, line=index))
            break
        reason = _line_reason(raw)
        if reason is not None:
            removed.append(Removed(reason=reason, text=raw.strip(), line=index))
            continue
        trimmed = _trim_line(raw, index, removed)
        kept.append((index, trimmed))
    kept = _drop_repeats(kept, removed)
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(line for _, line in kept)).strip()
    return CleanedText(text=cleaned, removed=tuple(sorted(removed, key=lambda r: r.line)))
