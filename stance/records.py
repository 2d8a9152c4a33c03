"""Step 6 of the pipeline, claims -> records: the one definition of the output rows, both ways.

Writing: :func:`record_rows` (one row per sentence, :meth:`stance.Doc.to_records`),
:func:`claim_rows` and :func:`claim_columns` (one row per claim), :func:`arrow_schema`
(their Arrow types, for Parquet and Hugging Face datasets). Reading back: the
per-sentence records of ``stance label``, as Docs or rows.

Records are what :meth:`stance.Doc.to_records` gives, one per sentence: ``doc_id``,
``index``, ``text``, ``start``, ``end``, ``claims`` (actor, mentions, labels, scores,
mention_span, kind), plus the input's pass-through fields (``date``, ``outlet``, ...).
They are read from JSON Lines or Parquet (the same fields, a row per sentence). A
line holding a whole document (``sentences``: a list, as in :meth:`stance.Doc.to_dict`
or the annotation guide's gold format) is split into its sentence records. The rows
of a claims table (one per claim: ``sentence``, ``actor``, ``labels``, ``score_<label>``,
``mention_start``...) become the records of the sentences that have claims.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .data import iter_json_lines
from .document import SENTENCE_FIELDS, Claim, Doc, Mention, Sentence
from .errors import StanceError

__all__ = ["SENTENCE_FIELDS", "arrow_schema", "claim_columns", "claim_rows", "docs_from_records", "read_records", "record_rows"]

# fields of a record that belong to its sentence; every other field describes the document
# the columns of a claims table (``stance label --claims``) that describe the claim, not the document,
# before and after its ``score_<label>`` columns
_CLAIM_COLUMNS_BEFORE = ("sentence", "start", "end", "actor", "kind", "mention", "mention_start", "mention_end", "labels")
_CLAIM_COLUMNS_AFTER = ("text",)
_CLAIM_COLUMNS = (*_CLAIM_COLUMNS_BEFORE, *_CLAIM_COLUMNS_AFTER)


# -- writing: a Doc as rows -------------------------------------------------------------
def record_rows(doc: Doc) -> list[dict[str, Any]]:
    """Return one row per sentence: the document's :meth:`~stance.Doc.to_records`."""
    return doc.to_records()


def claim_rows(doc: Doc, labels: list[str]) -> list[dict[str, Any]]:
    """Return one flat row per claim, ready for a data frame.

    Columns: ``doc_id``, the document's pass-through fields, ``sentence`` (index),
    ``start``, ``end``, ``actor``, ``kind``, ``mention``, ``mention_start``,
    ``mention_end``, ``labels`` (a list) and ``score_<label>`` per schema label, and the
    sentence ``text``.
    """
    rows = []
    for sentence in doc.sentences:
        for claim in sentence.claims:
            mention = claim.mention
            rows.append({
                "doc_id": doc.doc_id,
                **doc.meta,
                "sentence": sentence.index,
                "start": sentence.start,
                "end": sentence.end,
                "actor": claim.actor,
                "kind": claim.kind,
                "mention": mention.text if mention else None,
                "mention_start": mention.start if mention else None,
                "mention_end": mention.end if mention else None,
                "labels": list(claim.labels),
                **{f"score_{name}": round(claim.scores[name], 4) for name in labels},
                "text": sentence.text,
            })
    return rows


def claim_columns(labels: list[str], meta: list[str] | None = None) -> list[str]:
    """Return the columns of a claims table, in order: ``doc_id``, the pass-through fields
    ``meta``, the claim's columns with one ``score_<label>`` per label, the sentence text."""
    return ["doc_id", *(meta or []), *_CLAIM_COLUMNS_BEFORE, *[f"score_{n}" for n in labels], *_CLAIM_COLUMNS_AFTER]


def arrow_schema(labels: list[str], claims: bool) -> Any:
    """Return the Arrow types of the fixed columns of record rows or claim rows."""
    if claims:
        return pa.schema(
            [("doc_id", pa.string()), ("sentence", pa.int64()), ("start", pa.int64()), ("end", pa.int64()),
             ("actor", pa.string()), ("kind", pa.string()), ("mention", pa.string()),
             ("mention_start", pa.int64()), ("mention_end", pa.int64()), ("labels", pa.list_(pa.string()))]
            + [(f"score_{n}", pa.float64()) for n in labels]
            + [("text", pa.string())]
        )
    claim = pa.struct([
        ("actor", pa.string()), ("mentions", pa.string()), ("labels", pa.list_(pa.string())),
        ("scores", pa.struct([(n, pa.float64()) for n in labels])), ("mention_span", pa.list_(pa.int64())),
        ("kind", pa.string()),
    ])
    return pa.schema(
        [("doc_id", pa.string()), ("index", pa.int64()), ("text", pa.string()), ("start", pa.int64()),
         ("end", pa.int64()), ("truncated", pa.bool_()), ("claims", pa.list_(claim))]
    )



# -- reading: records back to rows and Docs ------------------------------------------------


def _bad(path: Path, line: int, reason: str) -> StanceError:
    return StanceError("E051", path=path, line=line, reason=reason)


def _check_claim(claim: Any, path: Path, line: int, where: str) -> dict[str, Any]:
    if not isinstance(claim, dict):
        raise _bad(path, line, f"{where} must be an object")
    if not isinstance(claim.get("actor"), str) or not claim["actor"]:
        raise _bad(path, line, f"{where}.actor must be a non-empty string")
    labels = claim.get("labels")
    if labels is None or isinstance(labels, str) or not all(isinstance(x, str) for x in labels):
        raise _bad(path, line, f"{where}.labels must be a list of label names")
    scores = claim.get("scores") or {}
    if isinstance(scores, list):  # a Parquet map column comes back as (key, value) pairs
        scores = dict(scores)
    if not isinstance(scores, dict):
        raise _bad(path, line, f"{where}.scores must be an object of label: score")
    # a Parquet struct column has every label of the file, None where a record lacked it
    scores = {k: float(v) for k, v in scores.items() if v is not None}
    span = claim.get("mention_span")
    if span is not None and (len(span) != 2 or not all(isinstance(x, int) for x in span)):
        raise _bad(path, line, f"{where}.mention_span must be [start, end]")
    return {**claim, "labels": list(labels), "scores": scores, "mention_span": list(span) if span is not None else None}


def _sentence_records(record: Any, path: Path, line: int) -> list[dict[str, Any]]:
    """Return the checked per-sentence records a line holds (one, or a document's)."""
    if not isinstance(record, dict):
        raise _bad(path, line, f"expected a JSON object, got {type(record).__name__}")
    if "claims" not in record and "actor" in record and "sentence" in record:  # a row of a claims table
        return [_from_claim_row(record, path, line)]
    if "sentences" in record and "claims" not in record:
        sentences = record["sentences"]
        if not isinstance(sentences, list):
            raise _bad(path, line, "'sentences' must be a list")
        doc = {k: v for k, v in record.items() if k != "sentences"}
        pos, out = 0, []
        for i, sentence in enumerate(sentences):
            if not isinstance(sentence, dict):
                raise _bad(path, line, f"sentences[{i}] must be an object")
            text = sentence.get("text")
            start = sentence.get("start", pos) if isinstance(text, str) else pos
            merged = {**doc, "index": sentence.get("index", i), "text": text, "start": start,
                      "end": sentence.get("end", start + len(text) if isinstance(text, str) else start),
                      "claims": sentence.get("claims", [])}
            out.append(_check_sentence(merged, path, line, f"sentences[{i}]."))
            pos = out[-1]["end"] + 1
        return out
    return [_check_sentence(record, path, line, "")]


def _from_claim_row(row: dict[str, Any], path: Path, line: int) -> dict[str, Any]:
    """Return a claims-table row as a sentence record holding that one claim (merged per sentence later)."""
    span = [row.get("mention_start"), row.get("mention_end")]
    claim = {
        "actor": row.get("actor"), "mentions": row.get("mention"), "labels": row.get("labels"), "kind": row.get("kind"),
        "scores": {k[len("score_"):]: v for k, v in row.items() if k.startswith("score_")},
        "mention_span": span if all(isinstance(x, int) for x in span) else None,
    }
    record = {k: v for k, v in row.items() if k not in _CLAIM_COLUMNS and not k.startswith("score_")}
    record.update(index=row.get("sentence"), text=row.get("text"), start=row.get("start"), end=row.get("end"),
                  claims=[claim], _claim_row=True)
    return _check_sentence(record, path, line, "")


def _merge_claim_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join the one-claim records of a claims table into one record per sentence, in order."""
    merged: dict[tuple[Any, Any], dict[str, Any]] = {}
    out = []
    for record in records:
        if not record.pop("_claim_row", False):
            out.append(record)
            continue
        key = (record.get("doc_id"), record.get("index"))
        if key in merged:
            merged[key]["claims"].extend(record["claims"])
        else:
            merged[key] = record
            out.append(record)
    return out


def _check_sentence(record: dict[str, Any], path: Path, line: int, where: str) -> dict[str, Any]:
    if "claims" not in record:
        raise _bad(path, line, f"missing field '{where}claims' (is this a records file from 'stance label'?)")
    if not isinstance(record.get("text"), str):
        raise _bad(path, line, f"field '{where}text' must be a string")
    claims = record["claims"]
    if claims is None or isinstance(claims, (str, dict)):
        raise _bad(path, line, f"field '{where}claims' must be a list")
    for key in ("index", "start", "end"):
        if key in record and record[key] is not None and not isinstance(record[key], int):
            raise _bad(path, line, f"field '{where}{key}' must be an integer")
    checked = [_check_claim(c, path, line, f"{where}claims[{j}]") for j, c in enumerate(claims)]
    return {**record, "claims": checked, "_line": line}


def _read_claims_csv(path: Path) -> list[dict[str, Any]]:
    """Return the rows of a claims-table CSV as one-claim sentence records, typed back."""
    ints = ("sentence", "start", "end", "mention_start", "mention_end")
    out = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "actor" not in reader.fieldnames or "labels" not in reader.fieldnames:
                raise _bad(path, 1, "a CSV must be the claims table of 'stance label --claims' (columns actor, labels, ...)")
            for row in reader:
                line = reader.line_num
                record: dict[str, Any] = {}
                for key, value in row.items():
                    value = None if value == "" else value
                    try:
                        if key in ints and value is not None:
                            value = int(value)
                        elif key.startswith("score_") and value is not None:
                            value = float(value)
                    except ValueError:
                        raise _bad(path, line, f"field '{key}' must be a number, got {value!r}") from None
                    if key == "labels":
                        value = value.split(";") if value else []
                    record[key] = value
                out.extend(_sentence_records(record, path, line))
    except UnicodeDecodeError as exc:
        raise StanceError("E009", path=path, line=0, reason=exc.reason) from None
    return out


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Return the per-sentence records of a ``.jsonl`` or ``.parquet`` file (or the claims
    table of ``stance label --claims`` as ``.csv``, ``.jsonl`` or ``.parquet``), checked.

    Each record keeps its file line (Parquet: row number, from 1) as ``_line``.

    Raises:
        StanceError: E001 missing file, E051 a record that is not a labelled sentence,
            E052 no records, E053 unreadable Parquet, E054 other formats.

    >>> records = read_records("labels.jsonl")        # doctest: +SKIP
    >>> docs = docs_from_records(records)              # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise StanceError("E001", path=path)
    suffix = path.suffix.lower()
    out: list[dict[str, Any]] = []
    if suffix in (".jsonl", ".json"):
        for number, record in iter_json_lines(path):
            out.extend(_sentence_records(record, path, number))
    elif suffix in (".parquet", ".pq"):
        try:
            rows = pq.read_table(path).to_pylist()
        except Exception as exc:  # pyarrow raises several types for a damaged or foreign file
            raise StanceError("E053", path=path, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        for number, record in enumerate(rows, 1):
            out.extend(_sentence_records(record, path, number))
    elif suffix == ".csv":  # the claims table of `stance label --claims -o claims.csv`
        out.extend(_read_claims_csv(path))
    else:
        raise StanceError("E054", path=path, suffix=suffix)
    if not out:
        raise StanceError("E052", path=path)
    out = _merge_claim_rows(out)
    for record in out:
        if record.get("doc_id") is None:
            record["doc_id"] = path.stem
    return out


def _claim(record: dict[str, Any], claim: dict[str, Any]) -> Claim:
    mention = None
    text = claim.get("mentions")
    span = claim.get("mention_span")
    if isinstance(text, str) and text:
        if span is not None:
            mention = Mention(text, span[0], span[1])
        elif text in record["text"] and record.get("start") is not None:  # gold data: a string, no span
            local = record["text"].index(text)
            mention = Mention(text, record["start"] + local, record["start"] + local + len(text))
    return Claim(claim["actor"], claim["labels"], claim["scores"], mention, claim.get("kind"))


def docs_from_records(records: Iterable[dict[str, Any]]) -> list[Doc]:
    """Return the documents the records describe, in order of first appearance.

    The document text is rebuilt from the sentences at their offsets (the gaps
    between sentences, which records do not keep, become spaces), so every offset,
    mention span included, still indexes ``doc.text``.
    """
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for record in records:
        grouped.setdefault(record.get("doc_id"), []).append(record)
    docs = []
    for doc_id, rows in grouped.items():
        rows = sorted(rows, key=lambda r: r.get("index") if r.get("index") is not None else 0)
        pos, placed = 0, []
        for row in rows:
            start = row.get("start") if row.get("start") is not None else pos
            placed.append((start, row))
            pos = max(pos, start + len(row["text"]) + 1)
        chars = [" "] * max((s + len(r["text"]) for s, r in placed), default=0)
        for start, row in placed:
            chars[start : start + len(row["text"])] = row["text"]
        sentences = []
        for i, (start, row) in enumerate(placed):
            row = {**row, "start": start}
            index = row.get("index") if row.get("index") is not None else i
            claims = [_claim(row, c) for c in row["claims"]]
            sentences.append(Sentence(row["text"], start, start + len(row["text"]), index, claims))
        meta = {k: v for k, v in rows[0].items() if k not in SENTENCE_FIELDS and k not in ("doc_id", "_line")}
        docs.append(Doc("".join(chars), sentences, None if doc_id is None else str(doc_id), meta))
    return docs
