"""Malformed request bodies are refused with HTTP 400 and a clear message, before GraphQL.

Invalid UTF-8, JSON that is not JSON, JSON nested deeper than any real request needs
(50,000 levels of ``attributes`` made the parser recurse until it crashed) and single
strings longer than any field accepts are the sender's mistakes, not server errors.
"""

from __future__ import annotations

import json
from typing import Any

from common.errors import MedcreditError

# No operation we serve needs more: attributes are capped at a few levels (see
# services.customers) and GraphQL variables add a handful around them.
MAX_JSON_DEPTH = 32
# Longer than any text field accepts (the longest, notes and reasons, stop at 2,000).
MAX_STRING_CHARS = 10_000


class BadRequest(MedcreditError, ValueError):
    """The body cannot be a valid request; the message says why."""


def parse_json_body(body: bytes) -> Any:
    """Decode and parse a JSON request body, enforcing depth and string-length limits.

    Raises:
        BadRequest: invalid UTF-8, invalid JSON, too deep, or a string too long.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"The request body is not valid UTF-8 (byte {exc.start}).") from exc
    _check_depth(text)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}.") from exc
    _check_strings(value)
    return value


def _check_depth(text: str) -> None:
    # Counted on the text, before parsing, so a hostile depth never reaches the parser.
    if text.count("{") + text.count("[") <= MAX_JSON_DEPTH:
        return
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise BadRequest(f"The request JSON is nested more than {MAX_JSON_DEPTH} levels deep.")
        elif char in "]}":
            depth -= 1


def _check_strings(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_STRING_CHARS and not _is_query_text(item):
                raise BadRequest(f"A string in the request is longer than {MAX_STRING_CHARS} characters.")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _is_query_text(text: str) -> bool:
    # The operation text itself may be long; the token limit (schema extensions) bounds it.
    return text.lstrip().startswith(("query", "mutation", "subscription", "{", "fragment"))
