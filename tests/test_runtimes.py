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
    (entry,) = entries(cache)
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
    expected = stance.labeler.resolve_precision("auto", result)
    assert stance.load(saved).precision == expected != "bf16"
    # a check below the bar keeps auto off that runtime
    tiny.metadata["runtime_agreement"] = {"onnx-int8": {"seed": 0.5}, "onnx": {"seed": 1.0}}
    assert tiny.set_precision("auto").precision == "onnx"


def test_a_missing_onnx_runtime_is_a_clear_error(tiny, monkeypatch):
    import stance.runtimes

    monkeypatch.setattr(stance.runtimes, "onnx_available", lambda: False)
    with pytest.raises(StanceError) as err:
        tiny.set_precision("onnx")
    assert err.value.code == "E092" and "pip install onnxruntime" in str(err.value)
