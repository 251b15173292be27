"""Sources by URL: fetch one web page (or PDF) for ingestion, safely.

Only http and https; every address a name resolves to, at the start and after each redirect, must be a
public one unless `allow_private` (a server must not become a proxy into its own network: loopback, private
ranges, link-local cloud metadata addresses); a clear timeout and size limit; the content type must be one
the loaders read. What comes back keeps the address asked for, the final one after redirects and the fetch
time: the document's origin.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from rag.errors import InputError

__all__ = ["Fetched", "fetch_url", "is_url"]

_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "application/pdf"})
_MAX_REDIRECTS = 5
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{1,15}://")


@dataclass(frozen=True)
class Fetched:
    """A fetched page: its bytes, the address asked for, the final one, its content type and when."""

    data: bytes
    url: str
    final_url: str
    content_type: str
    fetched_at: str


def is_url(text: str) -> bool:
    """Whether an ingest argument is meant as a web address (any scheme: a wrong one gets a clear error)."""
    return bool(_SCHEME.match(text.strip()))


def _check_address(url: str, allow_private: bool) -> None:
    """Refuse a scheme other than http(s), and a host that resolves to a non-public address (unless allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError(f"only http and https addresses can be fetched, not {parts.scheme or 'no'} scheme: {url}")
    if not parts.hostname:
        raise InputError(f"no host in {url}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve {parts.hostname}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise InputError(f"{parts.hostname} is a private or loopback address ({address}); fetching it is off "
                             "(SOURCEBRIEF_FETCH_ALLOW_PRIVATE)")


def fetch_url(url: str, *, timeout_s: float, max_bytes: int, allow_private: bool = False,
              transport: httpx.BaseTransport | None = None) -> Fetched:
    """GET a page, following redirects (each hop checked), within `timeout_s` and `max_bytes`."""
    url = url.strip()
    current = url
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=False, transport=transport,
                          headers={"User-Agent": "sourcebrief (+source-grounded briefings)"}) as client:
            for _ in range(_MAX_REDIRECTS + 1):
                _check_address(current, allow_private)
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    if response.status_code >= 400:
                        raise InputError(f"{current} answered HTTP {response.status_code}")
                    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
                    if kind not in _TYPES:
                        raise InputError(f"{current} is {kind or 'of no stated type'}, not a page or document "
                                         f"this can read ({', '.join(sorted(_TYPES))})")
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise InputError(_too_large(int(declared), max_bytes))
                    data = bytearray()
                    for piece in response.iter_bytes():
                        data += piece
                        if len(data) > max_bytes:
                            raise InputError(_too_large(len(data), max_bytes))
                    return Fetched(data=bytes(data), url=url, final_url=str(response.url), content_type=kind,
                                   fetched_at=datetime.now(UTC).isoformat(timespec="seconds"))
    except httpx.TimeoutException:
        raise InputError(f"{current} did not answer within {timeout_s:g} s (SOURCEBRIEF_FETCH_TIMEOUT_S)") from None
    except httpx.HTTPError as exc:
        raise InputError(f"cannot fetch {current}: {exc}") from None
    raise InputError(f"{url} redirects more than {_MAX_REDIRECTS} times")


def _too_large(size: int, max_bytes: int) -> str:
    return f"page too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB, SOURCEBRIEF_MAX_FILE_MB)"
