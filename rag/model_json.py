"""Reading JSON a model wrote: the first object in its reply, a truncated one closed.

Shared by every stage that asks a model for JSON (answers, briefing digests, source guides): a small
model stops mid-string at its token limit, or wraps the object in prose.
"""

from __future__ import annotations

import json

__all__ = ["read_json_object"]


def read_json_object(raw: str) -> object | None:
    """Parse the first JSON object in `raw`, closing a truncated one if needed."""
    start = raw.find("{")
    if start < 0:
        return None
    body = raw[start:]
    for candidate in (body, body[:body.rfind("}") + 1]):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    # Truncated output: close an open string, then open brackets in reverse order.
    stack: list[str] = []
    in_string = escaped = False
    for ch in body:
        if in_string:
            if escaped:  # the character after a backslash is never the string's end
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    if escaped:  # cut right after a backslash: drop it, it escapes nothing
        body = body[:-1]
    closing = ('"' if in_string else "") + "".join(reversed(stack))
    try:
        return json.loads(body + closing)
    except json.JSONDecodeError:
        return None
