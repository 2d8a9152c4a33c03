"""Reading documents to label, lazily, row by row: .txt files (or a folder of them),
JSONL, CSV and Parquet files, and in Python any iterable of strings or dicts.

A bad row never stops the stream: it comes out as an :class:`InputError` naming the
file, line and reason, so that a batch job can account for every row.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from .errors import StanceError

__all__ = ["InputDocument", "InputError", "iter_inputs", "read_inputs"]


@dataclass
class InputDocument:
    """One document to label, with the input fields passed through to its records."""

    doc_id: str
    text: str
    meta: dict[str, Any]
    source: str
    line: int


@dataclass
class InputError:
    """A row that could not become a document."""

    source: str
    line: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.source, "line": self.line, "reason": self.reason}


def _from_record(record: Any, path: Path, line: int, text_field: str, id_field: str | None) -> InputDocument | InputError:
    if not isinstance(record, dict):
        return InputError(str(path), line, f"expected a JSON object, got {type(record).__name__}")
    if text_field not in record:
        return InputError(str(path), line, f"missing field '{text_field}'")
    text = record[text_field]
    if not isinstance(text, str):
        return InputError(str(path), line, f"field '{text_field}' must be a string, got {type(text).__name__}")
    if not text.strip():
        return InputError(str(path), line, f"empty text in field '{text_field}' (empty document)")
    doc_id = record.get(id_field) if id_field else None
    doc_id = str(doc_id) if doc_id is not None else f"{path.stem}:{line}"
    meta = {k: v for k, v in record.items() if k not in (text_field, id_field)}
    return InputDocument(doc_id, text, meta, str(path), line)


def iter_inputs(
    source: str | os.PathLike[str] | Iterable[str | dict[str, Any]],
    text_field: str = "text",
    id_field: str | None = "id",
) -> Iterator[InputDocument | InputError]:
    """Yield documents (or an error per bad row) from a path or from Python objects.

    ``source`` is a path (see :func:`read_inputs`) or an iterable of strings (document
    ids ``doc-0``, ``doc-1``...) and dicts (read like JSONL rows; ``line`` is the item's
    1-based position). Nothing is read before it is needed.
    """
    if isinstance(source, (str, os.PathLike)):
        yield from read_inputs(source, text_field, id_field)
        return
    where = Path("<python>")
    for number, item in enumerate(source, 1):
        if isinstance(item, str):
            if not item.strip():
                yield InputError(str(where), number, "empty document")
            else:
                yield InputDocument(f"doc-{number - 1}", item, {}, str(where), number)
        else:
            yield _from_record(item, where, number, text_field, id_field)


def read_inputs(
    path: str | os.PathLike[str], text_field: str = "text", id_field: str | None = "id"
) -> Iterator[InputDocument | InputError]:
    """Yield the documents of a .txt, .jsonl/.json, .csv or .parquet file, or an error per bad row.

    A ``.txt`` file is one document whose id is the file's stem; a folder is read as
    its ``.txt`` files in name order. Parquet files are read one row group at a time;
    their ``line`` is the 1-based row number.

    Raises:
        StanceError: E001 when the file is missing, E010 for an unknown suffix, E012
            when a CSV or Parquet file lacks the text column.
    """
    path = Path(path)
    if path.is_dir():  # a folder of .txt files, one document each, in name order
        for child in sorted(path.glob("*.txt")):
            yield from read_inputs(child, text_field, id_field)
        return
    if not path.is_file():
        raise StanceError("E001", path=path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            yield InputError(str(path), 1, f"cannot decode bytes as UTF-8 ({exc.reason})")
            return
        if not text.strip():
            yield InputError(str(path), 1, "empty document")
            return
        yield InputDocument(path.stem, text, {}, str(path), 1)
    elif suffix in (".jsonl", ".json"):
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield InputError(str(path), number, f"cannot decode bytes as UTF-8 ({exc.reason})")
                    continue
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield InputError(str(path), number, f"invalid JSON ({exc.msg})")
                    continue
                yield _from_record(record, path, number, text_field, id_field)
    elif suffix == ".csv":
        with path.open(encoding="utf-8", newline="", errors="strict") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or text_field not in reader.fieldnames:
                raise StanceError("E012", path=path, field=text_field, columns=", ".join(reader.fieldnames or []))
            try:
                for record in reader:
                    yield _from_record(record, path, reader.line_num, text_field, id_field)
            except UnicodeDecodeError as exc:  # the rest of the file cannot be read reliably
                yield InputError(str(path), reader.line_num + 1, f"cannot decode bytes as UTF-8 ({exc.reason}); rest of file skipped")
    elif suffix == ".parquet":
        yield from _read_parquet(path, text_field, id_field)
    else:
        raise StanceError("E010", path=path, suffix=suffix)


def _read_parquet(path: Path, text_field: str, id_field: str | None) -> Iterator[InputDocument | InputError]:
    try:
        handle = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise StanceError("E081", path=path, reason=str(exc)) from None
    columns = handle.schema_arrow.names
    if text_field not in columns:
        raise StanceError("E012", path=path, field=text_field, columns=", ".join(columns))
    number = 0
    for batch in handle.iter_batches(batch_size=1024):
        for record in batch.to_pylist():
            number += 1
            yield _from_record(record, path, number, text_field, id_field)
