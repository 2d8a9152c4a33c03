"""The ONNX Runtime paths (stance.runtimes): export, cache, rebuild, int8, and what auto picks."""

from __future__ import annotations

import copy
import json

import pytest
import torch

import stance
from stance.errors import StanceError
from stance.runtimes import KEEP_FP32, onnx_available

pytestmark = pytest.mark.skipif(not onnx_available(), reason="ONNX Runtime is not installed (a dependency of stance)")


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """An empty cache folder for the exports ($STANCE_CACHE)."""
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "onnx"


@pytest.fixture()
def tiny(tiny_model_dir):
    return stance.load(tiny_model_dir, precision="fp32")


def seed_pairs(labeler, seed_text):
    from stance.sentences import split_sentences

    return labeler.prepare(seed_text, split_sentences(seed_text)).pairs


def entries(cache):
    return sorted(p for p in cache.iterdir() if not p.name.startswith("."))


def test_onnx_scores_as_torch_fp32_and_is_exported_once(tiny, cache, seed_text, tiny_model_dir):
    pairs = seed_pairs(tiny, seed_text)
    exact = tiny.score_pairs(pairs)
    fast = tiny.set_precision("onnx").score_pairs(pairs)
    assert tiny.precision == "onnx" and type(tiny.net).__name__ == "OnnxNet"
    assert torch.allclose(fast, exact, atol=1e-4)
    (entry,) = entries(cache)
    manifest = json.loads((entry / "manifest.json").read_text())
    assert manifest["model"] == tiny.model_key and manifest["runtime"] == "onnx"
    # another process loading the same model finds the export: nothing is rebuilt
    stamp = (entry / manifest["file"]).stat().st_mtime_ns
    again = stance.load(tiny_model_dir, precision="onnx")
    assert torch.allclose(again.score_pairs(pairs), exact, atol=1e-4)
    assert entries(cache) == [entry] and (entry / manifest["file"]).stat().st_mtime_ns == stamp


def test_a_corrupt_or_stale_export_is_rebuilt_not_trusted(tiny, cache, seed_text):
    pairs = seed_pairs(tiny, seed_text)
    exact = tiny.score_pairs(pairs)
    tiny.set_precision("onnx")
    (entry,) = entries(cache)
    manifest = json.loads((entry / "manifest.json").read_text())
    (entry / manifest["file"]).write_bytes(b"not an onnx graph")  # corrupt: its sha256 no longer matches
    assert torch.allclose(tiny.set_precision("fp32").set_precision("onnx").score_pairs(pairs), exact, atol=1e-4)
    assert json.loads((entry / "manifest.json").read_text())["sha256"] == manifest["sha256"]
    # a manifest for another model (stale) is rebuilt too
    (entry / "manifest.json").write_text(json.dumps({**manifest, "model": "0" * 64}))
    assert torch.allclose(tiny.set_precision("fp32").set_precision("onnx").score_pairs(pairs), exact, atol=1e-4)
    assert json.loads((entry / "manifest.json").read_text())["model"] == tiny.model_key


def test_other_weights_get_another_export(tiny, cache):
    tiny.set_precision("onnx")
    key = tiny.model_key
    other = copy.copy(tiny)  # the same network with one trained tensor changed
    other._weights = {**tiny._weights, "head.bias": tiny._weights["head.bias"] + 1.0}
    other._key = None
    assert other.model_key != key
    other.set_precision("onnx")
    assert len(entries(cache)) == 2


def test_onnx_int8_keeps_the_feed_forward_outputs_in_fp32(tiny, cache, seed_text):
    import onnx

    pairs = seed_pairs(tiny, seed_text)
    exact = tiny.score_pairs(pairs)
    fast = tiny.set_precision("onnx-int8").score_pairs(pairs)
    assert fast.shape == exact.shape and (fast - exact).abs().max() < 0.2
    # the int8 copy, and the fp32 export its re-check runs on
    assert type(tiny._recheck_net).__name__ == "OnnxNet" and tiny._recheck_net.path.name == "net.onnx"
    (entry,) = [e for e in entries(cache) if "-onnx-int8-" in e.name]
    graph = onnx.load(str(entry / "net.int8.onnx")).graph
    kept = [n for n in graph.node if KEEP_FP32.match(n.name)]
    assert len(kept) == 2 and all(n.op_type == "MatMul" for n in kept)  # one per layer of the tiny encoder
    assert any(n.op_type in ("MatMulInteger", "DynamicQuantizeMatMul") for n in graph.node)


def test_check_precision_records_the_onnx_runtimes_and_auto_follows(tiny, cache, seed_docs, tiny_model_dir, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("STANCE_NO_BF16", "1")  # a CPU without native bf16
    result = tiny.check_precision({"seed": seed_docs})
    assert set(result) == {"onnx-int8", "onnx"} and result["onnx"]["seed"] == 1.0
    assert tiny.metadata["runtime_agreement"] == result
    saved = tiny.save(tmp_path / "checked")
    candidates = stance.labeler.auto_candidates(result)
    assert stance.load(saved).precision in candidates and "bf16" not in candidates
    # a check below the bar keeps auto off that runtime
    tiny.metadata["runtime_agreement"] = {"onnx-int8": {"seed": 0.5}, "onnx": {"seed": 1.0}}
    assert tiny.set_precision("auto").precision == "onnx"


def test_a_missing_onnx_runtime_is_a_clear_error(tiny, monkeypatch):
    import stance.runtimes

    monkeypatch.setattr(stance.runtimes, "onnx_available", lambda: False)
    with pytest.raises(StanceError) as err:
        tiny.set_precision("onnx")
    assert err.value.code == "E092" and "pip install onnxruntime" in str(err.value)


def test_auto_takes_the_runtime_measured_fastest_here_and_caches_the_choice(tmp_path, monkeypatch):
    from stance.runtimes import measured_choice

    monkeypatch.setenv("STANCE_CACHE", str(tmp_path))
    timed = []

    def timer(seconds):
        def time_runtime(runtime):
            timed.append(runtime)
            return seconds[runtime]
        return time_runtime

    offered = ["bf16", "onnx-int8", "onnx"]
    first = measured_choice("k" * 64, offered, timer({"bf16": 2.0, "onnx-int8": 1.0, "onnx": 1.5}), threads=2)
    assert first["chosen"] == "onnx-int8"
    assert timed == offered
    (entry,) = (tmp_path / "runtime-choice").iterdir()
    recorded = json.loads(entry.read_text())
    assert recorded["seconds"] == {"bf16": 2.0, "onnx-int8": 1.0, "onnx": 1.5} and recorded["threads"] == 2
    # the next load on this machine reads the choice: nothing is timed again
    assert measured_choice("k" * 64, offered, timer({}), threads=2) == first and len(timed) == 3
    # another thread count, another model or other runtimes offered are measured afresh; ties go first
    assert measured_choice("k" * 64, offered, timer(dict.fromkeys(offered, 1.0)), threads=1)["chosen"] == "bf16"
    assert measured_choice("m" * 64, offered[1:], timer({"onnx-int8": 3.0, "onnx": 1.0}), threads=2)["chosen"] == "onnx"
    assert len(timed) == 8
    # a corrupt entry is measured again and rewritten, not trusted
    entry.write_text("{not json")
    assert measured_choice("k" * 64, offered, timer({"bf16": 1.0, "onnx-int8": 2.0, "onnx": 3.0}), threads=2)["chosen"] == "bf16"
    assert json.loads(entry.read_text())["chosen"] == "bf16"


def test_auto_times_the_candidates_of_a_real_model_once(tiny, cache, monkeypatch):
    monkeypatch.setenv("STANCE_NO_BF16", "1")
    tiny.metadata["runtime_agreement"] = {"onnx-int8": {"seed": 1.0}, "onnx": {"seed": 1.0}}
    calls = []
    real = tiny._time_runtime
    monkeypatch.setattr(tiny, "_time_runtime", lambda runtime: calls.append(runtime) or real(runtime))
    assert tiny.set_precision("auto").precision in ("onnx-int8", "onnx")
    assert calls == ["onnx-int8", "onnx"]
    (choice,) = (cache.parent / "runtime-choice").iterdir()
    recorded = json.loads(choice.read_text())
    assert recorded["model"] == tiny.model_key and recorded["chosen"] == tiny.precision
    assert tiny.runtime_choice == recorded
    assert all(seconds > 0 for seconds in recorded["seconds"].values())
    tiny.set_precision("auto")
    assert len(calls) == 2  # cached
    monkeypatch.setenv("STANCE_AUTO_MEASURE", "0")  # no timing: the first candidate
    assert tiny.set_precision("auto").precision == "onnx-int8"
