"""Parse JSON from outside (request bodies, a bundle's manifest.json) within a size and a depth.

Python's json parser recurses once per nested array or object: a body of 50,000 `[` ends in a
RecursionError deep inside it (or worse, in code that walks the result). The depth is counted
first, without recursion, so such input is refused with a sentence before it is parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # Connect's own JSON (content, manifests) nests less than 10 deep
MAX_MANIFEST_BYTES = 16 * 1024 * 1024  # a manifest lists files and their MD5s: 16 MB is ~100,000 files

# Strings (with their escapes) and the brackets between them; a bracket inside a string does not count.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JSONRefused(ValueError):
    """JSON that is not valid, too large or nested too deep; the message says which."""


def depth(text: str) -> int:
    """How deep arrays and objects nest in `text` (brackets in strings are skipped)."""
    deepest = level = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            level += 1
            deepest = max(deepest, level)
        elif token in "]}":
            level -= 1
    return deepest


def check_depth(data: bytes, max_depth: int = MAX_DEPTH) -> None:
    """JSONRefused when `data` (JSON read by another parser, as nbformat reads a notebook) nests too deep."""
    if depth(data.decode("utf-8", "replace")) > max_depth:
        raise JSONRefused("it nests arrays or objects more than %d deep" % max_depth)


def loads(data: bytes | str, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed JSON, or JSONRefused naming what is wrong (not UTF-8, too large, too deep, not JSON)."""
    if len(data) > max_bytes:
        raise JSONRefused("it is larger than %d bytes" % max_bytes)
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise JSONRefused("it is not UTF-8") from None
    if depth(text) > max_depth:
        raise JSONRefused("it nests arrays or objects more than %d deep" % max_depth)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise JSONRefused("it is not valid JSON (%s)" % e) from None
