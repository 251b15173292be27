"""Read a file into plain text. The format is detected from the bytes, not trusted from the name."""

from __future__ import annotations

import io
import logging
import re

from rag.errors import InputError
from rag.types import LoadedText

__all__ = ["decode_text", "detect_format", "load_bytes"]

log = logging.getLogger(__name__)

_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(rb"<(?:p|div|article|h[1-6]|span|a|script|br|meta|title)\b[^>]*>", re.I)
# Markdown-only syntax: headings, links, emphasis, fences. List dashes are common in plain text too.
_MARKDOWN = re.compile(r"^#{1,6} \S|\[[^\]]+\]\([^)\s]+\)|\*\*\S[^*]*\*\*|^```", re.M)


def detect_format(data: bytes) -> str:
    """Return 'pdf', 'html', 'md' or 'txt' for readable content; raise InputError otherwise."""
    if not data.strip():
        raise InputError("empty file")
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    head = data[:4096]
    if _HTML_START.match(head) or len(_HTML_TAGS.findall(head)) >= 3:
        return "html"
    text = decode_text(data)
    return "md" if _MARKDOWN.search(text[:20000]) else "txt"


def decode_text(data: bytes) -> str:
    """Decode bytes as text, refusing binary content and undecodable bytes."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("binary content (NUL bytes), not a text document")
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("not valid UTF-8 text (re-save the file as UTF-8)")
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if sample and controls / len(sample) > 0.01:
        raise InputError("binary content (control characters), not a text document")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _load_html(data: bytes) -> LoadedText:
    import trafilatura

    html = decode_text(data)
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    meta = trafilatura.extract_metadata(html)
    if not text or not text.strip():
        raise InputError("no article text found in the HTML")
    title = meta.title if meta is not None else None
    author = meta.author if meta is not None else None
    return LoadedText(text=text, format="html", title=title or None, author=author or None)


def _load_pdf(data: bytes) -> LoadedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(f"unreadable PDF ({exc})") from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise InputError("PDF has no extractable text (scanned images are not supported)")
    title = (info.title if info is not None else None) or None
    author = (info.author if info is not None else None) or None
    return LoadedText(text=text, format="pdf", title=title, author=author)


def load_bytes(data: bytes) -> LoadedText:
    """Extract plain text from file content of any supported format."""
    fmt = detect_format(data)
    if fmt == "pdf":
        return _load_pdf(data)
    if fmt == "html":
        return _load_html(data)
    return LoadedText(text=decode_text(data), format=fmt)
