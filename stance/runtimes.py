"""Step 3 at inference on CPUs without native bf16: the network on ONNX Runtime, fp32 or int8.

:class:`~stance.labeler.Labeler` runs its network on one of :data:`RUNTIMES`:

``fp32``, ``bf16``, ``int8``
    torch: plain fp32, bfloat16 autocast (fast only where the CPU computes bf16 natively:
    AVX512-BF16 or AMX), or dynamic int8 quantisation of every linear layer;
``onnx``, ``onnx-int8``
    the merged fp32 network exported to ONNX and run by ONNX Runtime, as exported (``onnx``)
    or with per-channel dynamic int8 weights (``onnx-int8``) except the layers that lose most
    in int8: the encoder's feed-forward output projections (:data:`KEEP_FP32`) stay fp32.

An export is built once per model and CPU kind and cached under ``$STANCE_CACHE/onnx``
(default ``~/.cache/stance/onnx``), keyed by the model's hash (:func:`model_key`: its
config and trained weights), the CPU's instruction sets and the runtime versions. Its
``manifest.json`` records the key and the ``.onnx`` file's sha256; a cache entry whose key
or hash does not match, or that ONNX Runtime cannot load, is rebuilt, never trusted.
Nothing of it is shipped: a fresh machine builds its own on first use (seconds).

Which runtimes ``precision="auto"`` may take is decided by the model's recorded checks
(:meth:`~stance.labeler.Labeler.check_precision`, :func:`stance.labeler.auto_candidates`). Where
more than one qualifies, the fastest *on this machine* is taken: :func:`measured_choice` times
each on the same pairs (:data:`TIMING_TEXT`, scored as labelling scores them, fp32 re-check
included) once per model, CPU kind, thread count and runtime versions, and caches the outcome
under ``$STANCE_CACHE/runtime-choice``, as FFTW keeps its "wisdom". An unreadable or stale entry
is measured again. ``STANCE_AUTO_MEASURE=0`` skips the timing and takes the first candidate.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import json
import logging
import os
import platform
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from .encoders import cache_root
from .errors import StanceError

__all__ = ["KEEP_FP32", "ONNX_RUNTIMES", "TIMING_TEXT", "OnnxNet", "cpu_kind", "measured_choice", "model_key",
           "onnx_available", "onnx_net"]

log = logging.getLogger(__name__)

ONNX_RUNTIMES = ("onnx", "onnx-int8")
# ONNX node names of the layers kept in fp32 by onnx-int8: each encoder block's feed-forward
# output projection ("/encoder/layer.3/output/dense/MatMul"), not the attention's output
KEEP_FP32 = re.compile(r".*/layer\.\d+/output/dense/MatMul$")
_CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8", "amx_bf16")
_MANIFEST = "manifest.json"
_CHOICE_DIR = "runtime-choice"

# the text auto's runtimes are timed on (written for it, news-like lengths; a mix of sentences with
# stances, quotes and none, so that some scores fall near a threshold and the fp32 re-check is paid)
TIMING_TEXT = (
    "The United States announced new sanctions on Venezuela on Monday, and officials said military "
    "options remained on the table. Nicolás Maduro called the measures an act of aggression against a "
    "sovereign nation and said Venezuelans would never accept foreign troops on their soil. "
    "“No government has the right to decide who governs another country,” Gustavo Petro said in Bogotá. "
    "Marco Rubio defended the strikes on suspected drug boats as a necessary step against the cartels. "
    "Critics in Congress questioned the legal basis for the operation. "
    "Claudia Sheinbaum said Mexico would cooperate on security but would not allow U.S. forces to act on "
    "Mexican territory. Petro also urged regulating less harmful drugs instead of bombing boats, arguing "
    "that prohibition had failed for fifty years. Markets in Caracas were closed for the holiday. "
    "Brazil and Colombia called for a meeting of CELAC to discuss the crisis. "
    "Analysts said the campaign could push Maduro to negotiate, or harden his position. "
    "Donald Trump told reporters that Venezuela had “emptied its prisons” into the United States and that "
    "he would do whatever it takes. The United Nations urged restraint from all sides."
)


def onnx_available() -> bool:
    """Whether ONNX Runtime and the ONNX exporter's package are installed."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def cpu_kind() -> str:
    """The CPU's architecture and the instruction sets that change int8 and bf16 kernels,
    e.g. ``x86_64+avx2+avx512f+avx512_vnni``: an export is cached per kind."""
    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith(("flags", "Features")):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    return "+".join([platform.machine() or "cpu", *[f for f in _CPU_FLAGS if f in flags]])


def model_key(config: dict[str, Any], weights: dict[str, torch.Tensor]) -> str:
    """Return the sha256 of a model: its network config and every trained tensor, by name."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    for name in sorted(weights):
        tensor = weights[name].detach().contiguous().cpu()
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(tensor.view(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    versions = {}
    for package in ("torch", "onnx", "onnxruntime"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = ""
    return versions


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class OnnxNet:
    """An exported network run by ONNX Runtime, called like :class:`~stance.model.StanceNet`:
    ``net(**batch)`` returns the logits tensor. ``config`` is the network's ModelConfig."""

    def __init__(self, path: Path, inputs: list[str], config: Any, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = inputs
        self.config = config
        self.path = path

    def __call__(self, **batch: torch.Tensor) -> torch.Tensor:
        feed = {name: batch[name].numpy() for name in self.inputs}
        return torch.from_numpy(self.session.run(["logits"], feed)[0])

    def eval(self) -> OnnxNet:  # the torch network's interface, for callers that set modes
        return self


def _export(net: torch.nn.Module, sample: dict[str, torch.Tensor], folder: Path, quantize: bool) -> tuple[Path, list[str]]:
    """Export ``net`` (fp32, merged) to ``folder``; with ``quantize``, add the int8 copy."""
    inputs = [n for n in inspect.signature(net.forward).parameters if n in sample]
    path = folder / "net.onnx"
    axes = {n: {d: f"{n}_{d}" for d in range(sample[n].dim())} for n in inputs}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it treats as dynamic
        torch.onnx.export(net, tuple(sample[n] for n in inputs), str(path), input_names=inputs,
                          output_names=["logits"], dynamic_axes={**axes, "logits": {0: "pairs"}}, dynamo=False)
    if not quantize:
        return path, inputs
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep = [node.name for node in onnx.load(str(path)).graph.node if KEEP_FP32.match(node.name)]
    qpath = folder / "net.int8.onnx"
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser's advice to pre-process, logged on the root logger
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(str(path), str(qpath), weight_type=QuantType.QInt8, per_channel=True,
                             nodes_to_exclude=keep)
    finally:
        root.setLevel(level)
    path.unlink()
    return qpath, inputs


def _cached(folder: Path, expected: dict[str, Any], config: Any, threads: int | None) -> OnnxNet | None:
    """The cached export in ``folder`` if its manifest matches and its file is intact, else None."""
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        if any(manifest.get(k) != v for k, v in expected.items()):
            return None
        path = folder / manifest["file"]
        if _sha256(path) != manifest["sha256"]:
            return None
        return OnnxNet(path, manifest["inputs"], config, threads)
    except Exception:  # noqa: BLE001 - any unreadable, stale or corrupt entry is rebuilt
        return None


def onnx_net(
    net: torch.nn.Module, sample: dict[str, torch.Tensor], key: str, runtime: str, threads: int | None = None,
    cache: Path | None = None,
) -> OnnxNet:
    """Return the ONNX Runtime copy of ``net`` for ``runtime`` (``onnx`` or ``onnx-int8``),
    from the cache when a valid entry for this model, CPU kind and runtime versions is there,
    else exported (from ``sample``, an encoded batch), checked and cached first.
    """
    if runtime not in ONNX_RUNTIMES:
        raise ValueError(runtime)
    if not onnx_available():
        raise StanceError("E092", runtime=runtime)
    expected = {"model": key, "runtime": runtime, "cpu": cpu_kind(), "versions": _versions()}
    entry = hashlib.sha256(json.dumps(expected, sort_keys=True).encode()).hexdigest()[:20]
    root = (cache or cache_root()) / "onnx"
    folder = root / f"{key[:12]}-{runtime}-{entry}"
    found = _cached(folder, expected, net.config, threads)
    if found is not None:
        return found
    log.info("exporting the network for %s (once per model and CPU kind) into %s", runtime, folder)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".export-"))
    try:
        path, inputs = _export(net, sample, tmp, quantize=runtime == "onnx-int8")
        manifest = {**expected, "file": path.name, "sha256": _sha256(path), "inputs": inputs}
        (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)  # a stale or corrupt entry
        os.replace(tmp, folder)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StanceError("E089", path=folder, reason=exc.strerror or str(exc)) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    built = _cached(folder, expected, net.config, threads)
    if built is None:  # pragma: no cover - a fresh export that does not load
        raise StanceError("E093", path=folder)
    return built


def measured_choice(
    key: str, runtimes: Sequence[str], time_runtime: Callable[[str], float], threads: int | None = None,
    cache: Path | None = None,
) -> dict[str, Any]:
    """Return the fastest of ``runtimes`` on this machine for the model ``key``, as the record
    it keeps: ``chosen``, ``seconds`` per runtime, and what it is keyed by.

    ``time_runtime(runtime)`` returns the seconds one timed run takes. The outcome is cached
    per model, runtimes offered, CPU kind, thread count and runtime versions (a JSON file under
    ``$STANCE_CACHE/runtime-choice`` holding every runtime's seconds); an entry that does not
    parse or does not match is measured again. Ties go to the earlier of ``runtimes``.
    """
    runtimes = list(runtimes)
    expected = {"model": key, "runtimes": runtimes, "cpu": cpu_kind(), "threads": threads or torch.get_num_threads(),
                "versions": _versions()}
    entry = hashlib.sha256(json.dumps(expected, sort_keys=True).encode()).hexdigest()[:20]
    path = (cache or cache_root()) / _CHOICE_DIR / f"{key[:12]}-{entry}.json"
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if all(recorded.get(k) == v for k, v in expected.items()) and recorded.get("chosen") in runtimes:
            return recorded
    except (OSError, ValueError, AttributeError):
        pass  # none yet, unreadable or not an object: measure
    log.info("timing %s once on this machine (cached in %s)", ", ".join(runtimes), path.parent)
    seconds = {runtime: float(time_runtime(runtime)) for runtime in runtimes}
    record = {**expected, "seconds": seconds, "chosen": min(runtimes, key=seconds.__getitem__)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".choice-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=1)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache costs the timing again next time, nothing else
        log.warning("could not cache the runtime choice in %s: %s", path.parent, exc)
    return record
