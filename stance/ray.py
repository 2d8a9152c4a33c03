"""Scale-out on Ray Data: the same labeller, the same inputs and outputs, more machines.

    import stance.ray
    summary = stance.ray.label("corpus.jsonl", "labels.parquet", workers=8)

Input files are read by Ray read tasks with the library's own readers (so bad rows are
found and reported exactly as in a local run, with their file and line); the documents
are labelled by ``map_batches`` with a callable class that loads the model once per
worker; the driver streams the results into the same writers a local run uses (records
as JSONL or Parquet, ``claims=True`` one row per claim as CSV, JSONL or Parquet, bad
rows to ``OUTPUT.errors.jsonl``), in input order.

Without ``address`` (or the ``RAY_ADDRESS`` environment variable) Ray starts locally on
this machine's CPUs; with one it joins that cluster. Every node needs ``stance[ray]``
installed and, for a model other than the shipped one, the model folder at the same path.
Ray is an optional extra: ``pip install 'stance[ray]'``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import torch

from .batch import Summary, _make_sink, _TextSink
from .defaults import DEFAULT_MODEL
from .errors import StanceError
from .inputs import InputError, read_inputs
from .loading import load
from .records import claim_columns, claim_rows, record_rows
from .schema import LabelSchema

__all__ = ["label"]

_BLOCK_ROWS = 256


def _require_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise StanceError("E087") from None
    return ray


def _files(source: str | os.PathLike[str]) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        return sorted(path.glob("*.txt"))
    if not path.is_file():
        raise StanceError("E001", path=path)
    return [path]


def _read_rows(paths: list[str], text_field: str, id_field: str | None) -> Iterator[Any]:
    """Yield Arrow tables of input rows (documents and bad rows) read with our readers."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        for item in read_inputs(path, text_field, id_field):
            if isinstance(item, InputError):
                rows.append({"doc_id": None, "text": None, "meta": None, "source": item.source,
                             "line": item.line, "error": item.reason})
            else:
                rows.append({"doc_id": item.doc_id, "text": item.text, "meta": json.dumps(item.meta, ensure_ascii=False),
                             "source": item.source, "line": item.line, "error": None})
            if len(rows) >= _BLOCK_ROWS:
                yield pa.Table.from_pylist(rows, schema=_INPUT_SCHEMA)
                rows = []
    if rows:
        yield pa.Table.from_pylist(rows, schema=_INPUT_SCHEMA)


_INPUT_SCHEMA = pa.schema([("doc_id", pa.string()), ("text", pa.string()), ("meta", pa.string()),
                           ("source", pa.string()), ("line", pa.int64()), ("error", pa.string())])


def _text(value: Any) -> str | None:
    """Return a string column's value, or None: in numpy batches a column that is None
    throughout arrives as float NaN, not None (issue 14: a clean corpus crashed the driver)."""
    return value if isinstance(value, str) else None


def _datasource(files: list[Path], text_field: str, id_field: str | None) -> Any:
    from ray.data import Datasource, ReadTask
    from ray.data.block import BlockMetadata

    class InputDatasource(Datasource):
        """Our input files as a Ray datasource: one read task per group of files."""

        def estimate_inmemory_data_size(self) -> int:
            return sum(f.stat().st_size for f in files)

        def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None,
                           data_context: Any = None) -> list[Any]:
            n = max(1, min(parallelism, len(files)))
            groups = [[str(f) for f in files[i::n]] for i in range(n)]
            return [
                ReadTask(lambda g=g: _read_rows(g, text_field, id_field),
                         BlockMetadata(num_rows=None, size_bytes=None, exec_stats=None, input_files=tuple(g)))
                for g in groups if g
            ]

    return InputDatasource()


class _Labeller:
    """The callable class of ``map_batches``: loads the model once per worker."""

    def __init__(self, model: str | None, registry: str | None, precision: str, claims: bool,
                 batch_size: int, threads: int) -> None:
        torch.set_num_threads(threads)
        self.labeler = load(model, registry=registry, precision=precision)
        self.claims = claims
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        n = len(batch["line"])
        good = [i for i in range(n) if _text(batch["error"][i]) is None]
        docs = self.labeler.pipe([batch["text"][i] for i in good], batch_size=self.batch_size,
                                 doc_ids=[batch["doc_id"][i] for i in good],
                                 metas=[json.loads(batch["meta"][i]) for i in good])
        labelled = dict(zip(good, docs))
        out: dict[str, list[Any]] = {"rows": [], "error": [], "sentences": [], "claims": [], "truncated": []}
        names = self.labeler.schema.names
        for i in range(n):
            if i in labelled:
                doc = labelled[i]
                rows = claim_rows(doc, names) if self.claims else record_rows(doc)
                out["rows"].append(json.dumps(rows, ensure_ascii=False))
                out["error"].append(None)
                out["sentences"].append(len(doc.sentences))
                out["claims"].append(len(doc.claims))
                out["truncated"].append(sum(s.truncated for s in doc.sentences))
            else:
                error = {"file": batch["source"][i], "line": int(batch["line"][i]), "reason": batch["error"][i]}
                out["rows"].append(None)
                out["error"].append(json.dumps(error, ensure_ascii=False))
                out["sentences"].append(0)
                out["claims"].append(0)
                out["truncated"].append(0)
        return out


def label(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    model: str | None = None,
    registry: str | None = None,
    claims: bool = False,
    text_field: str = "text",
    id_field: str | None = "id",
    errors: str | os.PathLike[str] | None = None,
    precision: str = "auto",
    batch_size: int = 128,
    workers: int | None = None,
    threads: int = 2,
    address: str | None = None,
) -> Summary:
    """Label ``source`` into ``output`` on Ray Data and return the counts.

    Arguments are those of :func:`stance.label_corpus`, plus ``workers`` (labelling actors,
    default: the cluster's CPUs divided by ``threads``), ``threads`` (torch threads per
    actor) and ``address`` (a Ray cluster; default ``RAY_ADDRESS`` or a local Ray).
    There is no ``resume`` here: rerun the job, or use the local engine for resumable runs.
    """
    ray = _require_ray()
    files = _files(source)
    output = Path(output)
    errors_path = Path(errors) if errors else output.with_name(output.name + ".errors.jsonl")
    names = LabelSchema.from_disk(Path(model or DEFAULT_MODEL) / "labels.json").names
    columns: list[str] = []
    sink = _make_sink(output, names, claims, columns)
    started = not ray.is_initialized()
    if started:
        ray.init(address=address or os.environ.get("RAY_ADDRESS"), include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    logging.getLogger("ray").setLevel(logging.WARNING)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.execution_options.preserve_order = True  # output in input order, as a local run writes it
    if workers is None:
        workers = max(1, int(ray.cluster_resources().get("CPU", 1)) // threads)
    dataset = ray.data.read_datasource(_datasource(files, text_field, id_field)).map_batches(
        _Labeller,
        fn_constructor_kwargs={"model": str(model) if model else None, "registry": registry, "precision": precision,
                               "claims": claims, "batch_size": batch_size, "threads": threads},
        batch_size=64, batch_format="numpy", concurrency=workers, num_cpus=1,
    )
    summary = Summary(output=str(output), errors=str(errors_path))
    error_sink = _TextSink(errors_path, "jsonl")
    error_sink.open(None)
    opened = False
    finished = False
    try:
        for batch in dataset.iter_batches(batch_size=256, batch_format="numpy"):
            out_rows: list[dict[str, Any]] = []
            for rows, error, n_sent, n_claims, n_trunc in zip(
                batch["rows"], batch["error"], batch["sentences"], batch["claims"], batch["truncated"]
            ):
                summary.read += 1
                if _text(error) is not None:
                    summary.failed += 1
                    error_sink.write([json.loads(error)])
                    continue
                decoded = json.loads(rows)
                if claims and not columns and decoded:
                    columns.extend(k for k in decoded[0])
                out_rows.extend(decoded)
                summary.labelled += 1
                summary.sentences += int(n_sent)
                summary.claims += int(n_claims)
                summary.truncated_sentences += int(n_trunc)
            if not opened:
                if claims and not columns:
                    columns.extend(claim_columns(names))
                sink.open(None)
                opened = True
            if out_rows:
                sink.write(out_rows)
        if not opened:
            sink.open(None)
        finished = True
    finally:
        sink.close(finished)
        error_sink.close(finished)
        if started:
            ray.shutdown()
    if summary.failed == 0 and errors_path.is_file() and errors_path.stat().st_size == 0:
        errors_path.unlink()
        summary.errors = None
    return summary
