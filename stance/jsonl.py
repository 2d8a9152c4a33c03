"""JSON and JSON Lines files, read and written one way everywhere; errors name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import StanceError

__all__ = ["iter_json_lines", "read_json", "write_json"]


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


def read_json(path: str | Path) -> Any:
    """Return a JSON file's value.

    Raises:
        StanceError: E001 missing file, E002 invalid JSON (with the line).
    """
    path = Path(path)
    if not path.is_file():
        raise StanceError("E001", path=path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StanceError("E002", path=path, line=exc.lineno, reason=exc.msg) from None


def write_json(path: str | Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON."""
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
