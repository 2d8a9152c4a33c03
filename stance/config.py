"""The training recipe as data: :class:`TrainingConfig`, saved as ``training_config.json``.

Everything :func:`stance.train` needs besides the documents themselves: the data files,
what to start from, the network's options and the optimisation. One JSON file holds it;
``stance train --config FILE``, ``training/build_default.py`` (``training/config.json``)
and :func:`stance.train` read it the same way, and a trained model's folder keeps the
config it was trained with beside the network's ``config.json``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .actors import EXTRA_SOURCES
from .errors import StanceError
from .jsonl import read_json, write_json
from .model import ModelConfig, check_design

__all__ = ["CLASS_WEIGHTS", "TRAINING_CONFIG_FILE", "TrainingConfig"]

TRAINING_CONFIG_FILE = "training_config.json"
CLASS_WEIGHTS = (None, "balanced", "sqrt")


@dataclass
class TrainingConfig:
    """The training recipe: data files, starting point, network options and optimisation.

    Paths are as given (relative ones to the working directory). ``model`` holds
    :class:`~stance.model.ModelConfig` fields to change from their defaults (for example
    ``{"lora_r": 0}`` fine-tunes every encoder weight instead of LoRA adapters).

    >>> config = TrainingConfig(train=["seeds/seed-001.jsonl"], epochs=4)
    >>> TrainingConfig.from_dict(config.to_dict()) == config
    True
    """

    train: list[str] = field(default_factory=list)
    dev: list[str] = field(default_factory=list)
    dev_fraction: float = 0.0
    schema: str | None = None
    registry: str | None = None
    base: str | None = None
    from_model: str | None = None
    design: str | None = None
    model: dict[str, Any] = field(default_factory=dict)
    epochs: int = 6
    lr: float = 5e-4
    batch_size: int = 16
    class_weight: str | None = None
    seed: int = 13
    patience: int | None = None
    threads: int | None = None
    # distillation: a trained model folder whose calibrated scores on the training pairs are soft
    # targets beside the gold, mixed in with ``distill_weight`` (0: gold only, 1: teacher only)
    teacher: str | None = None
    distill_weight: float = 0.5
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Any, path: str | os.PathLike[str] = "<config>") -> TrainingConfig:
        """Return the config a dict describes, checked field by field (E037 names the field)."""
        if not isinstance(data, dict):
            raise StanceError("E037", path=path, reason="expected a JSON object")
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise StanceError("E037", path=path, reason=f"unknown field '{unknown[0]}' (known: {', '.join(known)})")
        config = cls(**data)
        config.check(path)
        return config

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> TrainingConfig:
        """Return the config saved in a JSON file (``stance train --config FILE``)."""
        return cls.from_dict(read_json(path), path)

    def to_file(self, path: str | os.PathLike[str]) -> None:
        write_json(Path(path), self.to_dict())

    def replace(self, **changes: Any) -> TrainingConfig:
        """Return a copy with ``changes`` (TrainingConfig fields; E037 for an unknown one)."""
        return TrainingConfig.from_dict({**self.to_dict(), **changes}, "<train options>")

    def check(self, path: str | os.PathLike[str] = "<config>") -> None:
        """Raise E037 naming the first field whose value cannot be trained with."""
        def bad(name: str, reason: str) -> StanceError:
            return StanceError("E037", path=path, reason=f"'{name}' {reason}, got {getattr(self, name)!r}")

        for name in ("train", "dev"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(p, (str, os.PathLike)) for p in value):
                raise bad(name, "must be a list of file paths")
        for name, least in (("epochs", 0), ("batch_size", 1), ("seed", None)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or (least is not None and value < least):
                raise bad(name, "must be an integer" + (f" >= {least}" if least is not None else ""))
        for name in ("patience", "threads"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise bad(name, "must be a positive integer or null")
        if not isinstance(self.lr, (int, float)) or isinstance(self.lr, bool) or self.lr < 0:
            raise bad("lr", "must be a number >= 0")
        if not isinstance(self.dev_fraction, (int, float)) or not 0 <= self.dev_fraction < 1:
            raise bad("dev_fraction", "must be a number in [0, 1)")
        if not isinstance(self.distill_weight, (int, float)) or isinstance(self.distill_weight, bool) \
                or not 0 <= self.distill_weight <= 1:
            raise bad("distill_weight", "must be a number in [0, 1]")
        if self.teacher is not None and not isinstance(self.teacher, (str, os.PathLike)):
            raise bad("teacher", "must be a model folder or null")
        if self.class_weight not in CLASS_WEIGHTS:
            raise bad("class_weight", "must be null, 'balanced' or 'sqrt'")
        if self.design is not None:
            check_design(self.design, path)
        if not isinstance(self.model, dict):
            raise bad("model", "must be an object of ModelConfig fields")
        sources = self.model.get("candidate_sources")
        if sources is not None and (not isinstance(sources, list) or not set(sources) <= set(EXTRA_SOURCES)):
            raise StanceError("E037", path=path, reason=f"'model.candidate_sources' must be a list from "
                              f"{', '.join(EXTRA_SOURCES)}, got {sources!r}")
        frozen = self.model.get("frozen_layers", 0)
        if not isinstance(frozen, int) or isinstance(frozen, bool) or frozen < 0:
            raise StanceError("E037", path=path, reason=f"'model.frozen_layers' must be an integer >= 0, got {frozen!r}")
        fields = set(ModelConfig.__dataclass_fields__) - {"base_model", "n_labels", "multi_label", "design"}
        unknown = sorted(set(self.model) - fields)
        if unknown:
            raise StanceError("E037", path=path, reason=f"unknown model field '{unknown[0]}' (known: {', '.join(sorted(fields))})")
