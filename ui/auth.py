"""Token check for the API and the app when they are reachable from other machines."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

__all__ = ["COOKIE", "is_loopback", "token_middleware"]

COOKIE = "sourcebrief_token"
_OPEN = {"/healthz"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _presented(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE) or request.query_params.get("token")


Handler = Callable[[Request], Awaitable[Response]]


def token_middleware(token: str) -> Callable[[Request, Handler], Awaitable[Response]]:
    """Every path but /healthz needs the token: a Bearer header (API), or `?token=` once in a
    browser, which is swapped for an HTTP-only cookie so the token leaves the address bar."""
    expected = token.encode()

    async def check(request: Request, call_next: Handler) -> Response:
        if request.url.path in _OPEN:
            return await call_next(request)
        given = _presented(request)
        if given is None or not hmac.compare_digest(given.encode(), expected):
            return JSONResponse({"error": "missing or wrong API token (SOURCEBRIEF_API_TOKEN)"}, status_code=401)
        if request.query_params.get("token") and request.method == "GET":
            clean = request.url.remove_query_params("token")
            response: Response = RedirectResponse(str(clean), status_code=303)
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
            return response
        return await call_next(request)

    return check
