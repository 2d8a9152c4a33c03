"""JSON Lines, read one way everywhere: a value per non-blank line, errors naming the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import StanceError

__all__ = ["iter_json_lines"]


def iter_json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (line number, value) for each non-blank line of a JSONL file.

    Raises:
        StanceError: E009 undecodable bytes, E002 invalid JSON, with the file and line.
    """
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise StanceError("E009", path=path, line=number, reason=exc.reason) from None
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise StanceError("E002", path=path, line=number, reason=exc.msg) from None
