"""Training a labeler from annotated documents: :func:`train`, read from a :class:`TrainingConfig`.

The recipe is one declarative config (:class:`TrainingConfig`, saved as
``training_config.json`` in the model folder beside the network's ``config.json``), read
the same way by :func:`stance.train`, ``stance train --config FILE`` and
``training/build_default.py``. :func:`train` is a short sequence of named steps:

1. :func:`_setup`: what training starts from: the base encoder, or a saved model to
   continue (``from_model``: its adapters and head are loaded, its schema kept and
   extended by new labels; new head rows start fresh, old rows are kept);
2. dev data: given, or carved from the training documents by document
   (``dev_fraction``, seeded; :func:`stance.splits.split_dev`);
3. :func:`_build`: the network, tokenizer and pair encoder, seeded;
4. the training pairs (:func:`stance.pairs.gold_pairs`): the same candidate finder that
   runs at prediction time proposes the candidates, gold claims give their targets;
5. :func:`_fit`: the epoch loop; with dev data the epoch with the best dev sentence
   macro-F1 is kept and training stops after ``patience`` epochs without improvement;
6. :func:`_calibrate`: per-label thresholds and a score temperature
   (:mod:`stance.calibration`) on the dev pairs, or on the training pairs without dev data;
7. :func:`_metadata`: what was trained on and how, with the per-epoch log (loss, dev
   metrics, seconds), saved as ``training.json`` and ``training_log.jsonl``.

A sentence may carry given ``targets`` (actor, and mention or none) instead of the
finder's candidates, as at prediction time with ``targets=`` (public benchmarks, where
the target is given). A target without a gold claim is a "no label" pair.
"""

from __future__ import annotations

import copy
import logging
import os
import platform
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

from . import __version__
from .actors import CandidateFinder
from .calibration import class_weights, fit_temperature, tune_thresholds
from .config import TrainingConfig
from .data import file_sha256, read_documents
from .defaults import default_registry, default_schema
from .errors import StanceError
from .evaluation import evaluate
from .labeler import Labeler, read_model_folder
from .model import (
    DEFAULT_BASE,
    ModelConfig,
    PairEncoder,
    StanceNet,
    cpu_has_bf16,
    label_probs,
    quiet_transformers,
    resolve_base,
    stance_loss,
)
from .pairs import TrainingPairs, gold_pairs
from .registry import ActorRegistry
from .schema import LabelSchema
from .splits import split_dev

__all__ = ["TrainingConfig", "train"]

log = logging.getLogger(__name__)



@dataclass
class _Start:
    """What training continues from: a saved model's config, weights, schema and registry."""

    source: str
    config: ModelConfig
    state: dict[str, torch.Tensor]
    schema: LabelSchema
    registry: ActorRegistry


def _load_start(from_model: str | os.PathLike[str] | Labeler) -> _Start:
    if isinstance(from_model, Labeler):
        if from_model._weights is None:
            raise StanceError("E071", path="<labeler>", reason="it holds no trainable weights (a network still in training)")
        return _Start("<labeler>", copy.deepcopy(from_model.config), from_model._weights, from_model.schema, from_model.registry)
    files = read_model_folder(from_model)
    return _Start(str(files.path), files.config, files.weights, files.schema, files.registry)


def _continue(net: StanceNet, start: _Start) -> None:
    """Load a saved model's adapters and head rows into ``net``, whose head may have new rows."""
    state = dict(start.state)
    weight, bias = state.pop("head.weight"), state.pop("head.bias")
    n_old = weight.shape[0]
    with torch.no_grad():
        net.head.weight[:n_old] = weight
        net.head.bias[:n_old] = bias
        state["head.weight"], state["head.bias"] = net.head.weight.detach().clone(), net.head.bias.detach().clone()
    net.load_trainable_state(state)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def _batches(pairs: TrainingPairs, batch_size: int, rng: random.Random, by_text: bool = False) -> list[list[int]]:
    """Return index batches: shuffled, then length-sorted within windows (less padding).

    With ``by_text`` (the ``shared`` design) the pairs of one text stay in one batch, so
    they share its encoder pass; a batch then holds about ``batch_size`` pairs.
    """
    groups: dict[str, list[int]] = {}
    for i, pair in enumerate(pairs.texts):
        groups.setdefault(pair.text if by_text else str(i), []).append(i)
    order = list(groups.values())
    rng.shuffle(order)
    window = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda g: len(pairs.texts[g[0]].text))
        batch: list[int] = []
        for group in chunk:
            batch.extend(group)
            if len(batch) >= batch_size:
                batches.append(batch)
                batch = []
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches


@torch.no_grad()
def _logits(net: StanceNet, encoder: PairEncoder, texts: list, batch_size: int = 64) -> torch.Tensor:
    net.eval()
    out = []
    for start in range(0, len(texts), batch_size):
        out.append(net(**encoder(texts[start : start + batch_size])).float())
    return torch.cat(out) if out else torch.zeros((0, net.config.n_labels))


def _features(net: StanceNet, encoder: PairEncoder, texts: list, batch_size: int = 64) -> torch.Tensor:
    """The head's inputs for every pair, computed once (a frozen encoder gives the same ones each epoch)."""
    net.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            out.append(net.features(**encoder(texts[start : start + batch_size])).float())
    return torch.cat(out) if out else torch.zeros((0, 0))


def _pair_macro_f1(net: StanceNet, features: torch.Tensor, targets: torch.Tensor, schema: LabelSchema) -> float:
    """Mean over labels of the dev pairs' F1 at the thresholds tuned on them (epoch choice of a frozen encoder)."""
    net.eval()
    with torch.no_grad():
        logits = net.classify(features).float()
    temperature = fit_temperature(logits, targets, schema.multi_label)
    probs = label_probs(logits / temperature, schema.multi_label).numpy()
    y = targets.numpy() > 0.5
    thresholds = tune_thresholds(probs, targets.numpy(), schema.names, schema.multi_label)
    scores = []
    for j, name in enumerate(schema.names):
        pred = probs[:, j] >= thresholds[name]
        denominator = pred.sum() + y[:, j].sum()
        scores.append(2 * float((pred & y[:, j]).sum()) / denominator if denominator else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


@dataclass
class _Setup:
    """Everything training needs before the network exists."""

    config: TrainingConfig
    start: _Start | None
    schema: LabelSchema
    registry: ActorRegistry
    base: str
    model_config: ModelConfig


def _setup(
    config: TrainingConfig, documents: Sequence[dict[str, Any]], schema: LabelSchema | None,
    registry: ActorRegistry | None, from_model: Any,
) -> _Setup:
    """Return what training starts from: schema, registry, base encoder and network config,
    from the arguments, else the ``from_model``'s, else the shipped model's."""
    start = _load_start(from_model) if from_model is not None else None
    model_config = ModelConfig(**config.model)
    base = config.base
    if start is not None:
        if schema is not None and schema.multi_label != start.schema.multi_label:
            kinds = {True: "multi-label", False: "single-label"}
            raise StanceError("E071", path=start.source, reason=f"the model is {kinds[start.schema.multi_label]}, "
                              f"the schema given is {kinds[schema.multi_label]}")
        # the model's schema stays in order; labels of the schema given are appended with their definitions
        known = start.schema
        schema = LabelSchema(known.labels + [lab for lab in (schema.labels if schema else []) if lab.name not in known],
                             known.name, known.version, known.multi_label, dict(known.extra))
        registry = registry or start.registry
        base = base or start.config.base_model
        model_config = copy.deepcopy(start.config)
        if config.design is not None and config.design != start.config.design:
            raise StanceError("E071", path=start.source, reason=f"its design is '{start.config.design}', not '{config.design}'")
    # without a schema or registry, start from the shipped model's (they travel with the package)
    schema = schema or default_schema()
    registry = registry or default_registry()
    base = base or DEFAULT_BASE
    used = sorted({label for d in documents for s in d["sentences"] for c in s.get("claims", []) for label in c["labels"]})
    schema = schema.extended(used)  # labels used in the data but absent from the schema are added
    if config.design is not None:
        model_config.design = config.design
    model_config.base_model = str(base)
    model_config.n_labels = len(schema)
    model_config.multi_label = schema.multi_label
    return _Setup(config, start, schema, registry, str(base), model_config)


@dataclass
class _Fit:
    """The outcome of the epoch loop."""

    history: list[dict[str, Any]]
    best_epoch: int
    stopped_early: int | None
    use_bf16: bool
    weight: torch.Tensor | None


def _calibrate(
    net: StanceNet, encoder: PairEncoder, schema: LabelSchema, pairs: TrainingPairs, dev_pairs: TrainingPairs | None
) -> tuple[dict[str, float], float, str]:
    """Return (thresholds, temperature, "dev" or "train"): fitted on the dev pairs, else on the training pairs."""
    source = dev_pairs if dev_pairs and dev_pairs.texts else pairs
    logits = _logits(net, encoder, source.texts)
    y = torch.tensor(source.targets)
    temperature = fit_temperature(logits, y, schema.multi_label)
    probs = label_probs(logits / temperature, schema.multi_label).numpy()
    thresholds = tune_thresholds(probs, y.numpy(), schema.names, schema.multi_label)
    return thresholds, temperature, "dev" if source is dev_pairs else "train"


def _fit(
    net: StanceNet, tokenizer: Any, encoder: PairEncoder, setup: _Setup, pairs: TrainingPairs,
    dev_pairs: TrainingPairs | None, dev_documents: Sequence[dict[str, Any]] | None, progress: bool,
) -> _Fit:
    """Run the epoch loop; with dev data, keep the best epoch's weights in ``net``."""
    config, schema = setup.config, setup.schema
    targets = torch.tensor(pairs.targets)
    weight = (class_weights(targets, schema.multi_label, 1.0 if config.class_weight == "balanced" else 0.5)
              if config.class_weight else None)
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.01)
    rng = random.Random(config.seed)
    by_text = setup.model_config.design == "shared"
    steps = config.epochs * len(_batches(pairs, config.batch_size, random.Random(config.seed), by_text=by_text))
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.1 * steps), steps)
    history: list[dict[str, Any]] = []
    best_state, best_score, best_epoch = None, -1.0, config.epochs
    stopped_early = None
    use_bf16 = setup.model_config.train_bf16 and cpu_has_bf16()
    frozen = setup.model_config.frozen_encoder
    if frozen:  # the encoder never changes: its part of every pair is computed once
        features = _features(net, encoder, pairs.texts)
        dev_features = _features(net, encoder, dev_pairs.texts) if dev_pairs and dev_pairs.texts else None
        dev_targets = torch.tensor(dev_pairs.targets) if dev_features is not None else None
    bar = tqdm(total=steps, desc="training", unit="batch") if progress else None
    for epoch in range(config.epochs):
        epoch_started = time.time()
        net.train()
        total = 0.0
        for batch_idx in _batches(pairs, config.batch_size, rng, by_text=by_text):
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
                if frozen:
                    logits = net.classify(features[batch_idx]).float()
                else:
                    logits = net(**encoder([pairs.texts[i] for i in batch_idx])).float()
            loss = stance_loss(logits, targets[batch_idx], schema.multi_label, weight)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(batch_idx)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
        record: dict[str, Any] = {"epoch": epoch + 1, "train_loss": total / len(pairs.texts)}
        if frozen and dev_features is not None:
            # choose the epoch on the dev pairs' features (a full dev pass of a large encoder per epoch
            # would cost more than the training); the chosen model is evaluated on the documents below
            record["dev_pair_macro_f1"] = _pair_macro_f1(net, dev_features, dev_targets, schema)
            if record["dev_pair_macro_f1"] > best_score:
                best_score, best_epoch = record["dev_pair_macro_f1"], epoch + 1
                best_state = net.trainable_state()
        elif dev_documents:
            thresholds, temperature, _ = _calibrate(net, encoder, schema, pairs, dev_pairs)
            scorer = Labeler(net, tokenizer, schema, setup.registry, thresholds, temperature, merge=False)
            metrics = evaluate(scorer, dev_documents, n_bootstrap=0)
            record.update({k: metrics[k] for k in ("sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1")})
            if metrics["sentence_macro_f1"] > best_score:
                best_score, best_epoch = metrics["sentence_macro_f1"], epoch + 1
                best_state = net.trainable_state()
        record["seconds"] = round(time.time() - epoch_started, 1)
        history.append(record)
        log.info("epoch %s: %s", epoch + 1, record)
        if bar is not None and dev_documents and "sentence_macro_f1" in record:
            bar.write(f"epoch {epoch + 1}: loss {record['train_loss']:.4f}, dev macro-F1 {record['sentence_macro_f1']:.4f}",
                      file=sys.stderr)
        if config.patience is not None and epoch + 1 - best_epoch >= config.patience and epoch + 1 < config.epochs:
            stopped_early = epoch + 1
            break
    if bar is not None:
        bar.close()
    if best_state is not None:
        net.load_trainable_state(best_state)
    return _Fit(history, best_epoch if dev_documents else len(history), stopped_early, use_bf16, weight)


def _metadata(
    setup: _Setup, fit: _Fit, documents: Sequence[dict[str, Any]], dev_documents: Sequence[dict[str, Any]] | None,
    dev_split: dict[str, Any] | None, pairs: TrainingPairs, tuned_on: str, dev_metrics: dict[str, Any] | None,
    data_files: Sequence[str | os.PathLike[str]], seconds: float,
) -> dict[str, Any]:
    """Return what the model's ``training.json`` records: data, recipe, coverage, per-epoch log, dev metrics."""
    config, start = setup.config, setup.start
    return {
        "stance_version": __version__,
        "base_model": setup.base,
        "from_model": start.source if start else None,
        "from_labels": start.schema.names if start else None,
        "seed": config.seed,
        "epochs": config.epochs,
        "best_epoch": fit.best_epoch,
        "stopped_early_at": fit.stopped_early,
        "patience": config.patience,
        "lr": config.lr,
        "batch_size": config.batch_size,
        "train_bf16": fit.use_bf16,
        "design": setup.model_config.design,
        "data_files": {str(p): file_sha256(p) for p in data_files},
        "n_documents": len(documents),
        "n_sentences": sum(len(d["sentences"]) for d in documents),
        "n_pairs": len(pairs.texts),
        "n_positive_pairs": int((torch.tensor(pairs.gold_targets or pairs.targets).sum(1) > 0).sum()),
        "teacher": {"path": str(config.teacher), "distill_weight": config.distill_weight} if config.teacher else None,
        "gold_claims": pairs.gold_claims,
        "candidate_coverage": round(pairs.coverage, 4),
        "uncovered_pairs_added": pairs.added,
        "dev_documents": len(dev_documents) if dev_documents else 0,
        "dev_split": dev_split,
        "class_weight": config.class_weight,
        "class_weights": [round(float(w), 4) for w in fit.weight] if fit.weight is not None else None,
        "thresholds_tuned_on": tuned_on,
        "history": fit.history,
        "dev_metrics": {k: v for k, v in dev_metrics.items() if k != "confusion"} if dev_metrics else None,
        "train_seconds": round(seconds, 1),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def _teacher(config: TrainingConfig, schema: LabelSchema) -> Labeler | None:
    """The distillation teacher of ``config`` (fp32), checked to score the schema's labels."""
    if config.teacher is None:
        return None
    teacher = Labeler.load(config.teacher, precision="fp32")
    if teacher.schema.names != schema.names or not schema.multi_label:
        raise StanceError("E037", path=config.teacher, reason=f"'teacher' must score the labels {schema.names} of a "
                          f"multi-label schema, it scores {teacher.schema.names}")
    return teacher


def _distill_targets(pairs: TrainingPairs, teacher: Labeler, weight: float) -> None:
    """Mix the teacher's calibrated scores into the pairs' targets: (1 - weight) gold + weight teacher.

    Binary cross-entropy is linear in its target, so this is the weighted sum of the gold loss
    and the loss against the teacher's scores (soft targets, as in Hinton et al.'s distillation).
    """
    soft = teacher.score_pairs(pairs.also_texts)
    pairs.gold_targets = pairs.targets
    pairs.targets = ((1 - weight) * torch.tensor(pairs.targets) + weight * soft).tolist()


def _read_files(paths: Sequence[str | os.PathLike[str]], schema: LabelSchema | None) -> list[dict[str, Any]]:
    return [d for p in paths for d in read_documents(p, schema)]


def train(
    documents: Sequence[dict[str, Any]] | None = None,
    config: TrainingConfig | None = None,
    *,
    dev_documents: Sequence[dict[str, Any]] | None = None,
    schema: LabelSchema | None = None,
    registry: ActorRegistry | None = None,
    from_model: str | os.PathLike[str] | Labeler | None = None,
    data_files: Sequence[str | os.PathLike[str]] | None = None,
    progress: bool = False,
    **options: Any,
) -> Labeler:
    """Return a :class:`~stance.labeler.Labeler` trained on gold documents.

    Args:
        documents: annotated documents (the annotation guide's format; sentences may carry
            given ``targets``); default: the files of ``config.train``.
        config: the recipe (:class:`TrainingConfig`); ``options`` change single fields of
            it (``epochs=4``, ``lr=1e-4``, ``dev_fraction=0.1``, ``patience=2``,
            ``class_weight="balanced"``, ``design="pair"``, ``base=DIR``,
            ``model={"lora_r": 0}``...).
        dev_documents: for model selection, early stopping and thresholds; default: the
            files of ``config.dev``, else a ``dev_fraction`` of ``documents``.
        schema, registry: label schema and actor registry; default: ``config``'s files,
            else ``from_model``'s, else the shipped model's. Labels used in the data are
            added to the schema.
        from_model: a saved model folder (or Labeler) to continue from (default:
            ``config.from_model``).
        data_files: files whose sha256 the metadata records (default: the config's).
        progress: show a progress bar.

    With ``config.teacher`` (a trained model folder of the same labels), the training pairs'
    targets are ``(1 - distill_weight)`` gold plus ``distill_weight`` the teacher's calibrated
    scores on the same (sentence, candidate) pairs: a small student learns from a large teacher.

    With dev data, the epoch with the best dev sentence macro-F1 is kept and thresholds
    and temperature are fitted on dev; without, they are fitted on the training pairs.
    The same seed gives the same model on CPU.

    >>> labeler = stance.train(stance.read_documents("seeds/seed-001.jsonl"), epochs=2)   # doctest: +SKIP
    >>> labeler = stance.train(config=TrainingConfig.from_file("training/config.json"))    # doctest: +SKIP
    """
    quiet_transformers()
    config = (config or TrainingConfig()).replace(**options) if options else copy.deepcopy(config or TrainingConfig())
    if config.threads:
        torch.set_num_threads(config.threads)
    schema = schema or (LabelSchema.from_disk(config.schema) if config.schema else None)
    registry = registry or (ActorRegistry.from_disk(config.registry) if config.registry else None)
    if documents is None:
        if not config.train:
            raise StanceError("E037", path="<train>", reason="no training documents: pass documents or set 'train' files")
        documents = _read_files(config.train, schema)
    if dev_documents is None and config.dev:
        dev_documents = _read_files(config.dev, schema)
    if data_files is None:
        data_files = [*config.train, *config.dev]
    setup = _setup(config, documents, schema, registry, from_model if from_model is not None else config.from_model)
    dev_split = None
    if dev_documents is None and config.dev_fraction:
        documents, dev_documents = split_dev(documents, config.dev_fraction, config.seed)
        dev_split = {"fraction": config.dev_fraction, "seed": config.seed, "documents": len(dev_documents)}
    if config.patience is not None and not dev_documents:
        raise StanceError("E072", reason="early stopping (patience) needs dev data: give dev documents or a dev fraction")
    teacher = _teacher(config, setup.schema)  # before the seed: loading it draws random numbers
    _seed_everything(config.seed)
    started = time.time()
    base_dir = resolve_base(setup.base)
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
    net = StanceNet.build(setup.model_config, base_dir)
    if setup.start is not None:
        _continue(net, setup.start)
    encoder = PairEncoder(tokenizer, setup.model_config)
    finder = CandidateFinder(setup.registry, setup.model_config.candidate_sources)
    pairs = gold_pairs(documents, finder, encoder, setup.schema, also=teacher.encoder if teacher else None)
    if not pairs.texts:
        raise StanceError("E033")
    if teacher is not None:
        _distill_targets(pairs, teacher, config.distill_weight)
    dev_pairs = gold_pairs(dev_documents, finder, encoder, setup.schema, add_uncovered=False) if dev_documents else None
    fit = _fit(net, tokenizer, encoder, setup, pairs, dev_pairs, dev_documents, progress)
    thresholds, temperature, tuned_on = _calibrate(net, encoder, setup.schema, pairs, dev_pairs)
    labeler = Labeler(net, tokenizer, setup.schema, setup.registry, thresholds, temperature)  # folds the adapters in
    dev_metrics = evaluate(labeler, dev_documents, n_bootstrap=0) if dev_documents else None
    labeler.metadata = _metadata(setup, fit, documents, dev_documents, dev_split, pairs, tuned_on, dev_metrics,
                                 data_files, time.time() - started)
    labeler.training_config = config
    if dev_documents:  # may precision="auto" use bf16 with this model? (recorded as bf16_agreement)
        labeler.check_precision({"dev": dev_documents})
    return labeler
