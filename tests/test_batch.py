"""Batch labelling: formats, pass-through fields, bad rows, resume after a kill, datasets, Ray."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import stance
from stance.batch import label_corpus
from stance.errors import StanceError

ROOT = Path(__file__).resolve().parents[1]

# sentences written for these tests (no corpus text)
TEXTS = [
    "Colombian President Gustavo Petro said the strikes violate Colombia's sovereignty. He urged dialogue instead.",
    "Sheinbaum rejected any deployment of U.S. troops in Mexico.",
    "Senator Lindsey Graham urged more strikes on Venezuelan boats. Critics called the plan reckless.",
    "The ministry published its annual report on Tuesday.",
    "Petro also called for legalizing some drugs to cut cartel profits.",
]


def rows(n: int = 10) -> list[dict]:
    return [{"id": f"d{i}", "text": TEXTS[i % len(TEXTS)], "date": f"2025-0{i % 9 + 1}-01", "outlet": "Test"}
            for i in range(n)]


def write_jsonl(path: Path, items: list) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in items), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_match_the_python_api_and_carry_ids_offsets_and_fields(shipped, tmp_path):
    data = rows(7)
    summary = label_corpus(data, tmp_path / "out.jsonl", shipped, chunk_size=3)
    records = read_jsonl(tmp_path / "out.jsonl")
    expected = [r for doc in shipped.pipe([d["text"] for d in data], doc_ids=[d["id"] for d in data],
                                          metas=[{"date": d["date"], "outlet": d["outlet"]} for d in data])
                for r in doc.to_records()]
    assert records == expected
    assert summary.read == summary.labelled == 7 and summary.failed == 0
    assert summary.sentences == len(records) and summary.claims == sum(len(r["claims"]) for r in records)
    first = records[0]
    assert {"doc_id", "index", "start", "end", "text", "truncated", "date", "outlet"} <= set(first)
    assert TEXTS[0][first["start"]:first["end"]] == first["text"]
    assert not (tmp_path / "out.jsonl.progress.json").exists()
    assert not (tmp_path / "out.jsonl.errors.jsonl").exists()  # no bad rows: no errors file


def test_bad_rows_are_listed_and_counts_add_up(shipped, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [rows(1)[0], "{broken", {"id": "x", "text": ""}, {"id": "y", "text": 3},
                                               {"id": "z"}, rows(2)[1]])
    raw = src.read_bytes() + b'{"id": "w", "text": "caf\xe9"}\n'
    src.write_bytes(raw)
    summary = label_corpus(src, tmp_path / "out.jsonl", shipped, errors=tmp_path / "bad.jsonl")
    assert (summary.read, summary.labelled, summary.failed) == (7, 2, 5)
    errors = read_jsonl(tmp_path / "bad.jsonl")
    assert [e["line"] for e in errors] == [2, 3, 4, 5, 7]
    assert all(e["file"] == str(src) for e in errors)
    assert "invalid JSON" in errors[0]["reason"] and "decode" in errors[4]["reason"]
    with pytest.raises(StanceError) as err:
        label_corpus(src, tmp_path / "out2.jsonl", shipped, on_error="fail")
    assert err.value.code == "E013" and "line 2" in str(err.value)


def test_claims_table_csv_and_parquet(shipped, tmp_path):
    pd = pytest.importorskip("pandas")
    data = rows(5)
    records_summary = label_corpus(data, tmp_path / "records.parquet", shipped, chunk_size=2)
    records = pd.read_parquet(tmp_path / "records.parquet")
    assert len(records) == records_summary.sentences and list(records["doc_id"].unique()) == [d["id"] for d in data]
    assert not (tmp_path / "records.parquet.parts").exists()

    summary = label_corpus(data, tmp_path / "claims.csv", shipped, claims=True, chunk_size=2)
    table = pd.read_csv(tmp_path / "claims.csv")
    assert len(table) == summary.claims > 0
    for column in ("doc_id", "date", "outlet", "sentence", "start", "end", "actor", "labels", "text",
                   *[f"score_{n}" for n in shipped.schema.names]):
        assert column in table.columns
    petro = table[table["actor"] == "Gustavo Petro"]
    assert "sovereignty" in ";".join(petro["labels"])
    label_corpus(data, tmp_path / "claims.parquet", shipped, claims=True, chunk_size=2)
    parquet = pd.read_parquet(tmp_path / "claims.parquet")
    assert len(parquet) == len(table) and list(parquet["labels"].iloc[0]) == table["labels"].iloc[0].split(";")

    with pytest.raises(StanceError) as err:
        label_corpus(data, tmp_path / "records.csv", shipped)  # sentence records are not flat: no CSV
    assert err.value.code == "E082"


def test_parquet_input_with_text_and_id_fields(shipped, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([{"key": f"k{i}", "body": TEXTS[i], "url": f"http://example.org/{i}"} for i in range(3)])
    pq.write_table(table, tmp_path / "in.parquet")
    summary = label_corpus(tmp_path / "in.parquet", tmp_path / "out.jsonl", shipped, text_field="body", id_field="key")
    records = read_jsonl(tmp_path / "out.jsonl")
    assert summary.labelled == 3 and records[0]["doc_id"] == "k0" and records[0]["url"] == "http://example.org/0"
    with pytest.raises(StanceError) as err:
        label_corpus(tmp_path / "in.parquet", tmp_path / "out.jsonl", shipped)
    assert err.value.code == "E012" and "body" in str(err.value)


def test_iterables_of_strings(shipped, tmp_path):
    summary = label_corpus(iter(TEXTS[:2]), tmp_path / "out.jsonl", shipped)
    assert summary.labelled == 2 and read_jsonl(tmp_path / "out.jsonl")[0]["doc_id"] == "doc-0"


def test_a_sentence_longer_than_the_window_is_flagged_not_cut_silently(shipped):
    filler = " ".join(["the committee discussed the budget and the schedule"] * 40)
    text = f"In a long statement {filler}, Gustavo Petro rejected any foreign military action in Venezuela."
    doc = shipped(text)
    assert len(doc.sentences) == 1 and doc.sentences[0].truncated
    assert doc.to_records()[0]["truncated"] is True
    sentence = doc.sentences[0]
    assert "Gustavo Petro" in [c.actor for c in sentence.candidates]
    # the model saw a window around each mention, within its length (tests/test_model.py
    # checks the window of each design)
    from stance.sentences import spans_from_sentences

    _, spans = spans_from_sentences([sentence.text])
    pairs, cut = shipped.encoder.fit_pairs(spans, 0, sentence.candidates)
    assert cut
    for pair, cand in zip(pairs, sentence.candidates):
        assert cand.mention.text in pair.text
        assert len(shipped.encoder([pair])["input_ids"][0]) <= shipped.config.max_length
    short = shipped(TEXTS[0])
    assert not any(s.truncated for s in short.sentences)


def _progress(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_a_killed_run_resumes_to_the_uninterrupted_output(tmp_path, suffix):
    data = rows(40)
    data[5] = "{broken"
    src = write_jsonl(tmp_path / "in.jsonl", data)
    full = tmp_path / f"full{suffix}"
    out = tmp_path / f"out{suffix}"
    progress = out.with_name(out.name + ".progress.json")
    cmd = [sys.executable, "-m", "stance.cli", "label", str(src), "-o", str(out), "--chunk-size", "4"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # the uninterrupted run: the same command in the same environment (bf16 scores move by about
    # 0.001 with the thread count, so a reference made in this process could differ in a digit)
    subprocess.run(cmd[:6] + [str(full)] + cmd[7:], env=env, check=True, capture_output=True, timeout=600)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while _progress(progress).get("rows_done", 0) < 12 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = _progress(progress).get("rows_done", 0)
    assert 12 <= done < 40, f"the run was not killed mid-way (rows done: {done})"

    result = subprocess.run(cmd + ["--resume"], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "documents read 40, labelled 39, failed 1" in result.stderr and "resumed after" in result.stderr
    assert out.read_bytes() == full.read_bytes() if suffix == ".jsonl" else _parquet_rows(out) == _parquet_rows(full)
    assert read_jsonl(Path(str(out) + ".errors.jsonl")) == read_jsonl(Path(str(full) + ".errors.jsonl"))
    assert not progress.exists()


def _parquet_rows(path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def test_resume_errors(shipped, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", rows(3))
    with pytest.raises(StanceError) as err:
        label_corpus(src, tmp_path / "out.jsonl", shipped, resume=True)
    assert err.value.code == "E083"
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.progress.json").write_text(json.dumps({
        "version": 1, "options": {"claims": True}, "rows_done": 1}))
    with pytest.raises(StanceError) as err:
        label_corpus(src, out, shipped, resume=True)
    assert err.value.code == "E084" and "claims" in str(err.value)


def test_label_dataset(shipped):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_list(rows(4))
    out = stance.label_dataset(ds, id_column="id", labeler=shipped)
    assert out.num_rows == sum(len(shipped(d["text"]).sentences) for d in rows(4))
    assert {"doc_id", "date", "outlet", "index", "start", "end", "claims"} <= set(out.column_names)
    assert out[0]["doc_id"] == "d0" and out[0]["claims"][0]["actor"] == "Gustavo Petro"
    table = stance.label_dataset(ds, id_column="id", labeler=shipped, claims=True)
    assert "score_sovereignty" in table.column_names and table.num_rows == sum(len(r["claims"]) for r in out)
    bad = datasets.Dataset.from_list([{"text": TEXTS[0]}, {"text": ""}])
    with pytest.raises(StanceError) as err:
        stance.label_dataset(bad, labeler=shipped)
    assert err.value.code == "E086" and "row 1" in str(err.value)
    with pytest.warns(UserWarning, match="skipped 1 rows"):
        assert stance.label_dataset(bad, labeler=shipped, on_error="skip").num_rows == len(shipped(TEXTS[0]).sentences)


def test_auto_precision_takes_only_runtimes_the_model_was_checked_with(shipped, seed_docs, monkeypatch):
    from stance.labeler import AGREEMENT_BAR, recorded_agreement, resolve_precision
    from stance.model import cpu_has_bf16
    from stance.runtimes import onnx_available

    passed, failed = {"seed": 1.0, "dev": 1.0}, {"seed": 1.0, "dev": AGREEMENT_BAR - 0.001}
    assert resolve_precision("auto") == "fp32"  # no check recorded
    assert resolve_precision("auto", {"bf16": failed, "onnx-int8": failed, "onnx": failed}) == "fp32"
    assert resolve_precision("auto", {"bf16": passed}) == ("bf16" if cpu_has_bf16() else "fp32")
    assert resolve_precision("int8", {}) == "int8"
    # without native bf16, the ONNX int8 path comes first, then ONNX fp32
    monkeypatch.setenv("STANCE_NO_BF16", "1")
    assert not cpu_has_bf16()
    onnx = "onnx-int8" if onnx_available() else "fp32"
    assert resolve_precision("auto", {"bf16": passed, "onnx-int8": passed, "onnx": passed}) == onnx
    assert resolve_precision("auto", {"bf16": passed, "onnx-int8": failed, "onnx": passed}) == (
        "onnx" if onnx_available() else "fp32")
    monkeypatch.delenv("STANCE_NO_BF16")
    # a model recorded before runtime_agreement existed: its bf16_agreement is bf16's check
    assert recorded_agreement({"bf16_agreement": passed}) == {"bf16": passed}
    # the shipped model's recorded check is what its auto precision follows
    recorded = recorded_agreement(shipped.metadata)
    assert set(recorded["bf16"]) == {"seed", "dev"}
    assert resolve_precision("auto", recorded) == ("bf16" if cpu_has_bf16() and min(recorded["bf16"].values()) >= 0.99
                                                    else resolve_precision("auto", {**recorded, "bf16": {}}))
    saved = dict(shipped.metadata)
    try:
        result = shipped.check_precision({"seed": seed_docs}, runtimes=["bf16"])
        if cpu_has_bf16():
            assert result["bf16"] == shipped.metadata["bf16_agreement"] and result["bf16"]["seed"] == recorded["bf16"]["seed"]
        else:
            assert result == recorded  # nothing this machine can check: what was recorded stays
    finally:
        shipped.metadata = saved
        shipped.set_precision("fp32")


def test_ray_engine_matches_the_local_run(shipped, tmp_path):
    pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'stance[ray]'")
    import stance.ray

    src = write_jsonl(tmp_path / "in.jsonl", rows(12) + ["{broken"])
    label_corpus(src, tmp_path / "local.csv", shipped, claims=True)
    summary = stance.ray.label(src, tmp_path / "ray.csv", claims=True, workers=1, threads=1, precision="fp32")
    assert (summary.read, summary.labelled, summary.failed) == (13, 12, 1)
    assert (tmp_path / "ray.csv").read_text() == (tmp_path / "local.csv").read_text()
    assert read_jsonl(tmp_path / "ray.csv.errors.jsonl")[0]["line"] == 13


def test_every_output_format_reads_back_as_the_same_claims(shipped, tmp_path):
    from stance.records import docs_from_records, read_records

    data = rows(5)
    outputs = {"records.jsonl": False, "records.parquet": False, "claims.csv": True, "claims.jsonl": True,
               "claims.parquet": True}
    seen = {}
    for name, claims in outputs.items():
        label_corpus(data, tmp_path / name, shipped, claims=claims)
        docs = docs_from_records(read_records(tmp_path / name))
        seen[name] = sorted((d.doc_id, s.index, c.actor, tuple(c.labels)) for d in docs for s in d.sentences
                            for c in s.claims)
    assert seen["records.jsonl"] and all(v == seen["records.jsonl"] for v in seen.values())


def test_bf16_scores_near_a_threshold_are_redone_in_fp32(shipped, seed_text):
    from stance.labeler import RECHECK_MARGINS
    from stance.model import cpu_has_bf16
    from stance.sentences import split_sentences

    if not cpu_has_bf16():
        pytest.skip("this CPU has no native bf16: the bf16 path is not used here")
    spans = split_sentences(seed_text)
    pairs = shipped.prepare(seed_text, spans).pairs
    saved = dict(shipped.thresholds)
    try:
        exact = shipped.set_precision("fp32").score_pairs(pairs)
        # every label's threshold far from every score: nothing is redone, bf16 scores differ
        shipped.thresholds = dict.fromkeys(shipped.schema.names, 2.0)
        fast = shipped.set_precision("bf16").score_pairs(pairs)
        assert (fast - exact).abs().max() > 0
        # a threshold right at pair 0's first score: that pair is redone in fp32
        shipped.thresholds[shipped.schema.names[0]] = float(exact[0, 0]) + RECHECK_MARGINS["bf16"] / 2
        redone = shipped.score_pairs(pairs)
        assert torch.allclose(redone[0], exact[0], atol=1e-5)
        assert (redone[0] - fast[0]).abs().max() > 0
    finally:
        shipped.thresholds = saved
        shipped.set_precision("fp32")


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module's runs (stance.ray.label joins it and leaves it running)."""
    ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'stance[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_ray_engine_on_a_clean_corpus_matches_the_local_run(shipped, tmp_path, local_ray):
    """Regression (issue 14): on a corpus with no bad row, Ray's error column is None throughout and
    arrived as float NaN, which crashed the driver. JSONL and Parquet inputs, records and claims."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    import stance.ray

    data = rows(12)
    inputs = {"jsonl": write_jsonl(tmp_path / "in.jsonl", data), "parquet": tmp_path / "in.parquet"}
    pq.write_table(pa.Table.from_pylist(data), inputs["parquet"])
    runs = [("jsonl", "records.jsonl", False), ("jsonl", "claims.csv", True),
            ("parquet", "records.parquet", False), ("parquet", "claims.parquet", True)]
    for source, name, claims in runs:
        local, remote = tmp_path / f"local-{source}-{name}", tmp_path / f"ray-{source}-{name}"
        label_corpus(inputs[source], local, shipped, claims=claims)
        summary = stance.ray.label(inputs[source], remote, claims=claims, workers=1, threads=1, precision="fp32")
        assert (summary.read, summary.labelled, summary.failed) == (12, 12, 0), (source, name)
        assert summary.errors is None and not remote.with_name(remote.name + ".errors.jsonl").exists()
        if name.endswith(".parquet"):
            assert pq.read_table(remote).equals(pq.read_table(local)), (source, name)
        else:
            assert remote.read_text(encoding="utf-8") == local.read_text(encoding="utf-8"), (source, name)


def test_label_to_stdout_is_the_same_job_as_to_a_file(shipped, tmp_path, capsys):
    """``stance label`` without -o streams what -o FILE.jsonl writes, through the same job; its
    summary counts truncated sentences too (the second labelling loop it replaced did not)."""
    long_text = "Petro warned against strikes. " + " ".join(["The minister spoke again and again"] * 60) + " Petro agreed."
    data = rows(3) + [{"id": "long", "text": long_text}] + ["{broken"]
    src = write_jsonl(tmp_path / "in.jsonl", data)
    label_corpus(src, tmp_path / "file.jsonl", shipped)
    capsys.readouterr()
    summary = label_corpus(src, "-", shipped)
    out, err = capsys.readouterr()
    assert out == (tmp_path / "file.jsonl").read_text(encoding="utf-8")
    assert json.loads(err.splitlines()[0])["line"] == 5  # the bad row, on standard error
    assert (summary.read, summary.labelled, summary.failed) == (5, 4, 1) and summary.truncated_sentences >= 1
    assert "longer than the model window" in str(summary)
    with pytest.raises(StanceError) as exc:
        label_corpus(src, "-", shipped, resume=True)
    assert exc.value.code == "E085"
