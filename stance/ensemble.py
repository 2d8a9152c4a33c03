"""Ensembles: several models trained with different seeds, their probabilities averaged.

A model trained from one seed has a spread of a point or two of F1 from the next seed's;
averaging the calibrated probabilities of a few such models is steadier and usually better
than any one of them, for a cost of one network pass per member. An :class:`Ensemble` is a
:class:`~stance.labeler.Labeler` (it labels, evaluates, saves and loads like one); only the
scoring of (sentence, candidate) pairs differs:

>>> ens = stance.train_ensemble(docs, seeds=[13, 14, 15], dev_fraction=0.1)   # doctest: +SKIP
>>> ens.save("my-ensemble"); stance.load("my-ensemble")                      # doctest: +SKIP

Saved, an ensemble is a folder with ``ensemble.json`` (its members' sub-folders),
``thresholds.json`` (the thresholds of the averaged probabilities), ``labels.json``,
``actors.jsonl``, ``training.json`` and one ordinary model folder per member.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .actors import CandidateFinder
from .calibration import tune_thresholds
from .errors import StanceError
from .evaluation import evaluate
from .jsonl import read_json, write_json
from .labeler import ENSEMBLE_FILE, Labeler, read_thresholds, write_shared_files
from .model import Pair, as_pairs
from .pairs import gold_pairs
from .registry import ActorRegistry
from .schema import LabelSchema
from .splits import split_dev
from .training import train

ENSEMBLE_FORMAT = 1
# what members must share: the pairs one member scores must be the pairs every member reads
_SHARED_CONFIG = ("base_model", "max_length", "context_words", "design", "multi_label", "n_labels",
                  "candidate_sources", "mark_source")


class Ensemble(Labeler):
    """A labeler whose pair scores are the mean of its members' calibrated probabilities.

    Members must share the schema and the input design (:data:`_SHARED_CONFIG`); the
    ensemble finds candidates with the first member's registry (or the one given) and
    decides claims with its own ``thresholds``, fitted on the averaged scores
    (:meth:`fit_thresholds`).
    """

    def __init__(
        self,
        members: Sequence[Labeler],
        thresholds: dict[str, float] | None = None,
        metadata: dict[str, Any] | None = None,
        registry: ActorRegistry | None = None,
    ) -> None:
        if len(members) < 2:
            raise StanceError("E075", reason=f"an ensemble needs at least 2 members, got {len(members)}")
        first = members[0]
        for i, member in enumerate(members[1:], 2):
            if member.schema.names != first.schema.names:
                raise StanceError("E075", reason=f"member {i} has labels {member.schema.names}, member 1 {first.schema.names}")
            for key in _SHARED_CONFIG:
                if getattr(member.config, key) != getattr(first.config, key):
                    raise StanceError("E075", reason=f"member {i} has {key} {getattr(member.config, key)!r}, "
                                      f"member 1 {getattr(first.config, key)!r}")
        self.members = list(members)
        self.tokenizer = first.tokenizer
        self.schema = first.schema
        self.registry = registry or first.registry
        self.finder = CandidateFinder(self.registry, first.config.candidate_sources)
        self.encoder = first.encoder
        self.thresholds = dict(thresholds if thresholds is not None else first.thresholds)
        self.temperature = 1.0  # each member applies its own
        self.metadata = metadata or {}
        self.sort_window = first.sort_window
        self._weights = None
        self.net = first.net  # the first member's network: its encoder embeds sentences for `suggest`
        self._fp32_net = first._fp32_net
        self._recheck_net = first._fp32_net
        self.precision = first.precision
        self.runtime_choice = None  # each member keeps its own

    def set_precision(self, precision: str = "auto") -> Ensemble:
        """Set every member's precision (see :meth:`Labeler.set_precision`); returns the ensemble."""
        for member in self.members:
            member.set_precision(precision)
        self.net = self.members[0].net
        precisions = {m.precision for m in self.members}
        self.precision = precisions.pop() if len(precisions) == 1 else "mixed"
        return self

    @torch.inference_mode()
    def score_pairs(self, pairs: Sequence[Pair | tuple], batch_size: int = 128) -> torch.Tensor:
        """Return the mean of the members' calibrated probabilities, shape (len(pairs), n_labels)."""
        pairs = as_pairs(pairs)
        return torch.stack([m.score_pairs(pairs, batch_size) for m in self.members]).mean(dim=0)

    def fit_thresholds(self, documents: Sequence[dict[str, Any]]) -> dict[str, float]:
        """Set and return per-label thresholds with the best F1 of the averaged scores on gold
        ``documents`` (dev data), as :func:`stance.train` fits a single model's."""
        pairs = gold_pairs(documents, self.finder, self.encoder, self.schema, add_uncovered=False)
        if not pairs.texts:
            raise StanceError("E033")
        probs = self.score_pairs(pairs.texts).numpy()
        self.thresholds = tune_thresholds(probs, np.asarray(pairs.targets), self.schema.names, self.config.multi_label)
        return dict(self.thresholds)

    # -- persistence -------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the ensemble to the folder ``path`` (one sub-folder per member) and return it."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        names = [f"member-{i}" for i in range(1, len(self.members) + 1)]
        for name, member in zip(names, self.members):
            member.save(path / name)
        write_json(path / ENSEMBLE_FILE, {"format_version": ENSEMBLE_FORMAT, "members": names})
        write_shared_files(path, self.schema, self.registry, self.thresholds, 1.0, self.metadata)
        return path

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], base: str | os.PathLike[str] | None = None, precision: str = "auto",
    ) -> Ensemble:
        """Rebuild a saved ensemble from its folder (``stance.load`` calls this for a folder
        with ``ensemble.json``)."""
        path = Path(path)
        missing = [f for f in (ENSEMBLE_FILE, "thresholds.json", "actors.jsonl", "labels.json") if not (path / f).is_file()]
        if missing:
            raise StanceError("E030", path=path, missing=", ".join(missing))
        spec = read_json(path / ENSEMBLE_FILE)
        if spec.get("format_version") != ENSEMBLE_FORMAT:
            raise StanceError("E032", path=path / ENSEMBLE_FILE, found=spec.get("format_version"), expected=ENSEMBLE_FORMAT)
        members = [Labeler.load(path / name, base=base, precision=precision) for name in spec.get("members", [])]
        schema = LabelSchema.from_disk(path / "labels.json")
        if members and schema.names != members[0].schema.names:
            raise StanceError("E075", reason=f"{path / 'labels.json'} lists {schema.names}, the members {members[0].schema.names}")
        meta_path = path / "training.json"
        metadata = read_json(meta_path) if meta_path.is_file() else {}
        thresholds, _ = read_thresholds(path / "thresholds.json")
        return cls(members, thresholds, metadata, ActorRegistry.from_disk(path / "actors.jsonl"))


def train_ensemble(
    documents: Sequence[dict[str, Any]],
    seeds: Sequence[int] = (13, 14, 15),
    *,
    dev_documents: Sequence[dict[str, Any]] | None = None,
    dev_fraction: float = 0.0,
    **train_args: Any,
) -> Ensemble:
    """Return an :class:`Ensemble` of one :func:`stance.train` model per seed.

    Every member trains on the same documents and selects its epoch on the same dev data
    (``dev_documents``, or a ``dev_fraction`` held out once, seeded by the first seed);
    the ensemble's thresholds are then fitted on the averaged dev scores (on the training
    documents without dev data). ``train_args`` are :func:`stance.train`'s other arguments.
    """
    config = train_args.get("config")
    dev_fraction = dev_fraction or (config.dev_fraction if config is not None else 0.0)
    seeds = list(seeds)
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise StanceError("E075", reason=f"an ensemble needs at least 2 distinct seeds, got {seeds}")
    documents = list(documents)
    dev_split = None
    if dev_documents is None and dev_fraction:
        documents, dev_documents = split_dev(documents, dev_fraction, seeds[0])
        dev_split = {"fraction": dev_fraction, "seed": seeds[0], "documents": len(dev_documents)}
    members = [train(documents, dev_documents=dev_documents, seed=seed, **train_args) for seed in seeds]
    ensemble = Ensemble(members)
    ensemble.fit_thresholds(dev_documents or documents)
    dev_metrics = evaluate(ensemble, dev_documents, n_bootstrap=0) if dev_documents else None
    ensemble.metadata = {
        "ensemble": {"seeds": seeds, "members": len(members)},
        "dev_split": dev_split,
        "thresholds_tuned_on": "dev" if dev_documents else "train",
        "member_dev_macro_f1": [(m.metadata.get("dev_metrics") or {}).get("sentence_macro_f1") for m in members],
        "dev_metrics": {k: v for k, v in dev_metrics.items() if k != "confusion"} if dev_metrics else None,
        "train_seconds": round(sum(m.metadata.get("train_seconds", 0.0) for m in members), 1),
    }
    return ensemble
