"""Batch labelling of corpora: stream documents in, records out, lose nothing, resume.

:func:`label_corpus` reads its input lazily (any source :func:`stance.inputs.iter_inputs`
takes), labels it in chunks of input rows and writes each chunk's output completely
before the next begins. After every chunk a small progress file next to the output
records how many input rows are done and how long each output file was; a run that was
killed restarts with ``resume=True`` from the last complete chunk, cutting away whatever
the killed run had half written, so the finished output is the one an uninterrupted
run would have written.

Outputs, chosen by the output file's suffix:

* per-sentence records (default): ``.jsonl`` or ``.parquet``, one row per sentence
  with document id, sentence index, offsets, text, ``truncated`` and its claims;
* ``claims=True``: one row per claim, ``.csv``, ``.jsonl`` or ``.parquet``, with the
  document id, sentence index and offsets, actor, labels and one score column per label.

Every input row is accounted for: a bad row goes to the errors file (JSONL, with file,
line and reason) and the summary's counts add up (``read == labelled + failed``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features
from tqdm.auto import tqdm

from .errors import StanceError
from .inputs import InputDocument, InputError, iter_inputs
from .labeler import Labeler
from .loading import load
from .records import arrow_schema, claim_columns, claim_rows, record_rows

__all__ = ["STDOUT", "Summary", "label_corpus", "label_dataset"]

# the output name that writes JSON Lines to standard output (no resume: there is no file to continue)
STDOUT = "-"

PROGRESS_VERSION = 1
RECORD_SUFFIXES = (".jsonl", ".parquet")
CLAIM_SUFFIXES = (".csv", ".jsonl", ".parquet")


@dataclass
class Summary:
    """What a batch run did; ``read == labelled + failed`` always holds."""

    read: int = 0
    labelled: int = 0
    failed: int = 0
    sentences: int = 0
    claims: int = 0
    truncated_sentences: int = 0
    resumed_from: int = 0
    output: str | None = None
    errors: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        text = (f"documents read {self.read}, labelled {self.labelled}, failed {self.failed}; "
                f"sentences {self.sentences}, claims {self.claims}")
        if self.truncated_sentences:
            text += f"; {self.truncated_sentences} sentences longer than the model window (flagged 'truncated')"
        if self.resumed_from:
            text += f"; resumed after {self.resumed_from} input rows"
        if self.failed and self.errors:
            text += f"; bad rows in {self.errors}"
        return text


# -- sinks: append a chunk, remember how far, cut back to it ----------------------------
class _Sink:
    """An output that grows chunk by chunk and can be cut back to a recorded state."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self, state: dict[str, Any] | None) -> None:
        raise NotImplementedError

    def write(self, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        raise NotImplementedError

    def close(self, finished: bool) -> None:
        raise NotImplementedError


class _TextSink(_Sink):
    """JSONL or CSV: append, flush and fsync per chunk; the state is the byte length."""

    def __init__(self, path: Path, kind: str, columns: list[str] | None = None) -> None:
        super().__init__(path)
        self.kind = kind
        self.columns = columns
        self.handle: io.TextIOWrapper | None = None

    def open(self, state: dict[str, Any] | None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if state is None:
            self.handle = self.path.open("w", encoding="utf-8", newline="")
            if self.kind == "csv":
                self.handle.write(_csv_line(self.columns or []))
        else:
            size = int(state["bytes"])
            if not self.path.is_file() or self.path.stat().st_size < size:
                raise StanceError("E084", path=self.path, reason="the output is shorter than the progress file records")
            with self.path.open("r+b") as raw:  # cut away a half-written chunk
                raw.truncate(size)
            self.handle = self.path.open("a", encoding="utf-8", newline="")
        self.commit()

    def write(self, rows: list[dict[str, Any]]) -> None:
        assert self.handle is not None
        if self.kind == "csv":
            for row in rows:
                values = [";".join(v) if isinstance(v, list) else v for v in (row.get(c) for c in self.columns or [])]
                self.handle.write(_csv_line(values))
        else:
            for row in rows:
                self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def commit(self) -> None:
        assert self.handle is not None
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def state(self) -> dict[str, Any]:
        self.commit()
        assert self.handle is not None
        return {"bytes": self.handle.tell()}

    def close(self, finished: bool) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


class _ParquetSink(_Sink):
    """Parquet: each chunk becomes a complete part file in ``OUTPUT.parts/`` (written to a
    temporary name, then renamed); the finished run joins the parts into ``OUTPUT``.
    """

    def __init__(self, path: Path, schema: Any) -> None:
        super().__init__(path)
        self.parts = path.with_name(path.name + ".parts")
        self.schema = schema
        self.n_parts = 0

    def open(self, state: dict[str, Any] | None) -> None:
        if state is None:
            shutil.rmtree(self.parts, ignore_errors=True)
            self.parts.mkdir(parents=True)
            return
        self.n_parts = int(state["parts"])
        missing = [i for i in range(self.n_parts) if not self._part(i).is_file()]
        if missing:
            raise StanceError("E084", path=self.parts, reason=f"part {missing[0]} recorded as written is missing")
        for extra in self.parts.iterdir():  # parts or temporaries of the chunk that was cut off
            if extra.name not in {self._part(i).name for i in range(self.n_parts)}:
                extra.unlink()

    def _part(self, i: int) -> Path:
        return self.parts / f"part-{i:06d}.parquet"

    def write(self, rows: list[dict[str, Any]]) -> None:
        table = _to_table(rows, self.schema)
        tmp = self.parts / f".part-{self.n_parts:06d}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, self._part(self.n_parts))
        self.n_parts += 1

    def state(self) -> dict[str, Any]:
        return {"parts": self.n_parts}

    def close(self, finished: bool) -> None:
        if not finished:
            return
        files = [self._part(i) for i in range(self.n_parts)]
        schemas = [pq.read_schema(f) for f in files]
        schema = pa.unify_schemas(schemas, promote_options="permissive") if schemas else self.schema
        tmp = self.path.with_name(self.path.name + ".tmp")
        with pq.ParquetWriter(tmp, schema) as writer:  # one part in memory at a time
            for f in files:
                writer.write_table(pq.read_table(f).cast(schema))
        os.replace(tmp, self.path)
        shutil.rmtree(self.parts, ignore_errors=True)


def _to_table(rows: list[dict[str, Any]], fixed: Any) -> Any:
    """Build an Arrow table: the fixed columns typed by ``fixed``, pass-through fields inferred
    (values that are lists or dicts are stored as JSON strings)."""
    names = list(dict.fromkeys(k for row in rows for k in row))
    arrays, fields = [], []
    for name in names:
        values = [row.get(name) for row in rows]
        if name in fixed.names:
            typ = fixed.field(name).type
        else:
            values = [json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for v in values]
            typ = None
        array = pa.array(values, type=typ, from_pandas=False)
        if typ is None and pa.types.is_null(array.type):
            array = array.cast(pa.string())
        arrays.append(array)
        fields.append(pa.field(name, array.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class _StreamSink(_Sink):
    """JSON Lines to an open stream (standard output or error): written and flushed per
    chunk; it cannot be cut back, so a run into it cannot resume."""

    def __init__(self, stream: Any) -> None:
        super().__init__(Path(getattr(stream, "name", "<stream>")))
        self.stream = stream

    def open(self, state: dict[str, Any] | None) -> None:
        return None

    def write(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.stream.flush()

    def state(self) -> dict[str, Any]:
        return {}

    def close(self, finished: bool) -> None:
        self.stream.flush()


def _make_sink(path: Path, labels: list[str], claims: bool, columns: list[str]) -> _Sink:
    suffix = path.suffix.lower()
    if suffix not in (CLAIM_SUFFIXES if claims else RECORD_SUFFIXES):
        raise StanceError("E082", path=path, suffix=suffix)
    if suffix == ".parquet":
        return _ParquetSink(path, arrow_schema(labels, claims))
    return _TextSink(path, "csv" if suffix == ".csv" else "jsonl", columns)


# -- progress file -----------------------------------------------------------------------
def _write_progress(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _source_key(source: Any) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        stat = path.stat() if path.exists() else None
        return f"{path.resolve()}:{stat.st_size if stat and path.is_file() else ''}"
    return None


# -- the job -----------------------------------------------------------------------------
def label_corpus(
    source: str | os.PathLike[str] | Iterable[str | dict[str, Any]],
    output: str | os.PathLike[str],
    labeler: Labeler | str | os.PathLike[str] | None = None,
    *,
    registry: str | os.PathLike[str] | None = None,
    precision: str = "auto",
    claims: bool = False,
    errors: str | os.PathLike[str] | None = None,
    on_error: str = "skip",
    resume: bool = False,
    text_field: str = "text",
    id_field: str | None = "id",
    chunk_size: int = 64,
    batch_size: int = 128,
    progress: bool = False,
) -> Summary:
    """Label a corpus into ``output``, streaming, and return the counts.

    Args:
        source: a path (.txt, folder of .txt, .jsonl/.json, .csv, .parquet) or an
            iterable of strings or dicts (see :func:`stance.inputs.iter_inputs`).
        output: the file to write; its suffix picks the format (records: .jsonl,
            .parquet; ``claims=True``: .csv, .jsonl, .parquet); ``"-"`` (:data:`STDOUT`)
            streams JSON Lines to standard output (no resume; bad rows to standard error
            unless ``errors`` names a file).
        labeler: a :class:`stance.Labeler`, or a model folder to load after the input is
            opened (with ``registry`` and ``precision`` as :func:`stance.load` takes them;
            default: the shipped model).
        claims: write one row per claim instead of one record per sentence.
        errors: where bad rows go (JSONL; default ``OUTPUT.errors.jsonl``).
        on_error: ``skip`` (list the row and go on) or ``fail`` (raise E013 at the first).
        resume: continue a run that was interrupted, from its progress file
            (``OUTPUT.progress.json``); the source must be the same.
        chunk_size: input rows per chunk; each chunk's output is on disk before the next.
        batch_size: (sentence, actor) pairs per forward pass.
        progress: show a progress bar.

    Raises:
        StanceError: E082 unsupported output suffix, E083 nothing to resume, E084 a
            progress file that does not match the output or the source, E013 a bad row
            with ``on_error="fail"``; input errors from :func:`stance.inputs.read_inputs`.
    """
    if on_error not in ("skip", "fail"):
        raise StanceError("E088", option="on_error", expected="'skip' or 'fail'", value=on_error)
    stream = str(output) == STDOUT
    if stream and resume:
        raise StanceError("E085")
    output = Path(output)
    suffix = output.suffix.lower()
    if not stream and suffix not in (CLAIM_SUFFIXES if claims else RECORD_SUFFIXES):
        raise StanceError("E082", path=output, suffix=suffix)
    errors_path = Path(errors) if errors else None if stream else output.with_name(output.name + ".errors.jsonl")
    progress_path = output.with_name(output.name + ".progress.json")
    options = {"claims": claims, "text_field": text_field, "id_field": id_field, "chunk_size": chunk_size,
               "source": _source_key(source)}
    state = None
    if resume:
        if not progress_path.is_file():
            raise StanceError("E083", path=output, progress=progress_path.name)
        state = json.loads(progress_path.read_text(encoding="utf-8"))
        changed = [k for k, v in options.items() if state.get("options", {}).get(k) != v]
        if state.get("version") != PROGRESS_VERSION or changed:
            reason = f"the run's options or input changed ({', '.join(changed) or 'version'})"
            raise StanceError("E084", path=progress_path, reason=reason)

    rows_iter = iter_inputs(source, text_field, id_field)
    first = next(rows_iter, None)  # opens the input: a missing file fails before the model loads or anything is written
    rows: Iterator[InputDocument | InputError] = _chain(first, rows_iter)
    if not isinstance(labeler, Labeler):
        labeler = load(labeler, registry=registry, precision=precision)
    labels = labeler.schema.names
    if state:
        columns = list(state["columns"])
    else:  # CSV columns: the fixed ones plus the first row's pass-through fields
        columns = claim_columns(labels, list(first.meta) if isinstance(first, InputDocument) else []) if claims else []
    sink = _StreamSink(sys.stdout) if stream else _make_sink(output, labels, claims, columns)
    error_sink = _TextSink(errors_path, "jsonl") if errors_path else _StreamSink(sys.stderr)

    summary = Summary(output=None if stream else str(output), errors=str(errors_path) if errors_path else None)
    if state:
        summary = Summary(**{**state["summary"], "output": str(output), "errors": str(errors_path)})
        summary.resumed_from = state["rows_done"]
        for _ in range(state["rows_done"]):  # already labelled: read past them
            if next(rows, None) is None:
                raise StanceError("E084", path=progress_path, reason="the input has fewer rows than the run had done")
    rows_done = summary.read

    def commit() -> None:
        if stream:  # nothing to resume into
            return
        data = {"version": PROGRESS_VERSION, "options": options, "rows_done": rows_done, "columns": columns,
                "output": sink.state(), "errors": error_sink.state(),
                "summary": {k: v for k, v in summary.to_dict().items() if k not in ("output", "errors")}}
        _write_progress(progress_path, data)

    sink.open(state["output"] if state else None)
    error_sink.open(state["errors"] if state else None)
    if not state:
        commit()
    bar = tqdm(desc="labelling", unit="doc", initial=summary.read) if progress and not stream else None
    chunk: list[InputDocument] = []
    finished = False
    try:
        for item in rows:
            summary.read += 1
            if isinstance(item, InputError):
                summary.failed += 1
                if on_error == "fail":
                    raise StanceError("E013", path=item.source, line=item.line, reason=item.reason)
                error_sink.write([item.to_dict()])
            else:
                chunk.append(item)
            if summary.read - rows_done >= chunk_size:
                _label_chunk(labeler, chunk, sink, summary, claims, labels, batch_size)
                if bar is not None:
                    bar.update(summary.read - rows_done)
                rows_done = summary.read
                chunk = []
                commit()
        if summary.read > rows_done:
            _label_chunk(labeler, chunk, sink, summary, claims, labels, batch_size)
            if bar is not None:
                bar.update(summary.read - rows_done)
            rows_done = summary.read
            commit()
        finished = True
    finally:
        if bar is not None:
            bar.close()
        sink.close(finished)
        error_sink.close(finished)
    progress_path.unlink(missing_ok=True)
    if summary.failed == 0 and errors_path and errors_path.is_file() and errors_path.stat().st_size == 0:
        errors_path.unlink()
        summary.errors = None
    return summary


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
        yield from rest


def _label_chunk(
    labeler: Labeler, chunk: list[InputDocument], sink: _Sink, summary: Summary, claims: bool, labels: list[str],
    batch_size: int,
) -> None:
    out: list[dict[str, Any]] = []
    docs = labeler.pipe([d.text for d in chunk], batch_size=batch_size,
                        doc_ids=[d.doc_id for d in chunk], metas=[d.meta for d in chunk])
    for doc in docs:
        out.extend(claim_rows(doc, labels) if claims else record_rows(doc))
        summary.labelled += 1
        summary.sentences += len(doc.sentences)
        summary.claims += len(doc.claims)
        summary.truncated_sentences += sum(s.truncated for s in doc.sentences)
    if out:
        sink.write(out)


# -- Hugging Face datasets ------------------------------------------------------------------
def label_dataset(
    dataset: Any,
    text_column: str = "text",
    id_column: str | None = None,
    labeler: Labeler | None = None,
    *,
    claims: bool = False,
    on_error: str = "fail",
    batch_size: int = 128,
    chunk_size: int = 256,
) -> Any:
    """Label a Hugging Face :class:`datasets.Dataset` and return a Dataset of results.

    One row per sentence (``doc_id``, ``index``, ``text``, ``start``, ``end``,
    ``truncated``, ``claims``), or with ``claims=True`` one row per claim (the columns of
    :func:`claim_rows`); the dataset's other columns are passed through. ``doc_id`` is the
    ``id_column`` value, or the row number.

    A row whose text is missing, not a string or empty raises E086 naming the row
    (``on_error="fail"``, default); with ``on_error="skip"`` it is left out and listed in
    a warning.
    """
    if labeler is None:
        labeler = load()
    if text_column not in dataset.column_names:
        raise StanceError("E012", path="<dataset>", field=text_column, columns=", ".join(dataset.column_names))
    labels = labeler.schema.names
    passthrough = [c for c in dataset.column_names if c not in (text_column, id_column)]
    fixed = Features.from_arrow_schema(arrow_schema(labels, claims))
    features = Features({**{k: v for k, v in fixed.items() if k == "doc_id"},
                         **{c: dataset.features[c] for c in passthrough},
                         **{k: v for k, v in fixed.items() if k != "doc_id"}})
    skipped: list[int] = []

    def run(batch: dict[str, list[Any]], indices: list[int]) -> dict[str, list[Any]]:
        docs_in = []
        for j, row_index in enumerate(indices):
            text = batch[text_column][j]
            if not isinstance(text, str) or not text.strip():
                reason = "empty text" if isinstance(text, str) else f"text must be a string, got {type(text).__name__}"
                if on_error == "fail":
                    raise StanceError("E086", row=row_index, column=text_column, reason=reason)
                skipped.append(row_index)
                continue
            doc_id = str(batch[id_column][j]) if id_column else str(row_index)
            docs_in.append((text, doc_id, {c: batch[c][j] for c in passthrough}))
        out: dict[str, list[Any]] = {name: [] for name in features}
        docs = labeler.pipe([d[0] for d in docs_in], batch_size=batch_size,
                            doc_ids=[d[1] for d in docs_in], metas=[d[2] for d in docs_in])
        for doc in docs:
            for row in claim_rows(doc, labels) if claims else record_rows(doc):
                for name in features:
                    out[name].append(row.get(name))
        return out

    result = dataset.map(run, batched=True, batch_size=chunk_size, with_indices=True,
                         remove_columns=dataset.column_names, features=features, desc="labelling")
    if skipped:
        warnings.warn(f"label_dataset: skipped {len(skipped)} rows with no usable text: {skipped[:20]}", stacklevel=2)
    return result
