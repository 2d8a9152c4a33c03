"""Loading any saved model folder: one model or an ensemble, by what the folder holds."""

from __future__ import annotations

import os
from pathlib import Path

from .defaults import DEFAULT_MODEL
from .ensemble import Ensemble
from .labeler import ENSEMBLE_FILE, Labeler
from .registry import ActorRegistry

__all__ = ["load", "load_model"]


def load_model(
    path: str | os.PathLike[str] = DEFAULT_MODEL, base: str | os.PathLike[str] | None = None, precision: str = "auto"
) -> Labeler:
    """Return the model saved in ``path``: an :class:`~stance.Ensemble` for a folder with
    ``ensemble.json``, else a :class:`~stance.Labeler`; ``base`` overrides the encoder's location."""
    path = Path(path)
    if (path / ENSEMBLE_FILE).is_file():
        return Ensemble.load(path, base=base, precision=precision)
    return Labeler.load(path, base=base, precision=precision)


def load(
    path: str | os.PathLike[str] | None = None, *, registry: str | os.PathLike[str] | None = None,
    precision: str = "auto",
) -> Labeler:
    """Return a saved labeler, by default the model shipped inside the package.

    Args:
        path: a model folder made by ``stance train`` or :meth:`Labeler.save` (one model
            or an ensemble).
        registry: an actor registry file to use instead of the model's own (new actors
            and aliases are picked up without retraining).
        precision: ``auto`` (default: the fastest runtime this CPU runs natively whose
            recorded check kept fp32's claims: bfloat16 where the CPU has it, else ONNX
            Runtime int8 or fp32, else torch fp32), ``fp32``, ``bf16``, ``int8``, ``onnx`` or
            ``onnx-int8``; see :meth:`Labeler.set_precision`.

    >>> labeler = stance.load()                                   # doctest: +SKIP
    >>> mine = stance.load("models/mine", registry="my_actors.jsonl")   # doctest: +SKIP
    """
    labeler = load_model(path or DEFAULT_MODEL, precision=precision)
    if registry is not None:
        labeler = labeler.with_registry(ActorRegistry.from_disk(registry))
    return labeler
