"""Training a labeler from annotated documents.

Training pairs are made by the same candidate finder that runs at prediction time:
for each gold sentence, every candidate becomes a (sentence, candidate) pair whose
target is the labels of the gold claim it matches (registry-resolved), or no label.
So the model learns attribution (which candidate holds a stance) and stance together.
A gold claim that no candidate covers, but whose mention is in the sentence, is added
as an extra training pair; its count is recorded as the finder's coverage.

A sentence may carry given ``targets`` (actor, and mention or none) instead: then
those are its candidates, as at prediction time with ``targets=`` (public benchmarks,
where the target is given). A target without a gold claim is a "no label" pair.

Training starts from the base encoder, or continues from a saved model
(``from_model``): its adapters and head are loaded, its schema kept and extended by
new labels (new head rows start fresh, old rows are kept). Dev data is given or
carved from the training documents by document (``dev_fraction``, seeded); the epoch
with the best dev sentence macro-F1 is kept and training stops after ``patience``
epochs without improvement. Per-label thresholds and a score temperature are fitted
on the dev documents (or, without dev data, on the training pairs, which the metadata
records). The per-epoch log (loss, dev metrics, seconds) goes into the metadata and
``training_log.jsonl`` of the saved model.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import os
import platform
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .actors import CandidateFinder, sentence_candidates
from .document import Candidate, Mention
from .errors import StanceError
from .model import (
    DEFAULT_BASE,
    ModelConfig,
    Pair,
    PairEncoder,
    StanceNet,
    check_design,
    cpu_has_bf16,
    label_probs,
    resolve_base,
    with_no_label,
)
from .registry import ActorRegistry
from .schema import LabelSchema
from .sentences import spans_from_sentences

__all__ = ["TrainingPairs", "build_pairs", "class_weights", "split_dev", "train"]

log = logging.getLogger(__name__)


@dataclass
class TrainingPairs:
    """Encoded pair texts with multi-hot targets, and how well candidates covered gold."""

    texts: list[Pair] = field(default_factory=list)
    targets: list[list[float]] = field(default_factory=list)
    gold_claims: int = 0
    covered: int = 0
    added: int = 0

    @property
    def coverage(self) -> float:
        return self.covered / self.gold_claims if self.gold_claims else 1.0


def build_pairs(
    documents: Sequence[dict[str, Any]],
    finder: CandidateFinder,
    encoder: PairEncoder,
    schema: LabelSchema,
    add_uncovered: bool = True,
) -> TrainingPairs:
    """Return the (sentence, candidate) training pairs of gold documents."""
    registry = finder.registry
    out = TrainingPairs()
    for doc in documents:
        sentences = [s["text"] for s in doc["sentences"]]
        text, spans = spans_from_sentences(sentences)
        targets = [s.get("targets") for s in doc["sentences"]]
        per_sentence = sentence_candidates(finder, text, spans, targets if any(t is not None for t in targets) else None)
        for i, (span, cands, gold) in enumerate(zip(spans, per_sentence, doc["sentences"])):
            claims = gold.get("claims", [])
            out.gold_claims += len(claims)
            matched: set[int] = set()
            given = targets[i] is not None
            for cand in cands:
                target = [0.0] * len(schema)
                for j, claim in enumerate(claims):
                    # a given target takes the claims of exactly its actor; a found one, the registry's match
                    if claim["actor"] == cand.actor if given else registry.same_actor(cand.actor, claim["actor"]):
                        matched.add(j)
                        for label in claim["labels"]:
                            target[schema.index(label)] = 1.0
                out.texts.append(encoder.pair_text(spans, i, cand))
                out.targets.append(target)
            out.covered += len(matched)
            if not add_uncovered:
                continue
            for j, claim in enumerate(claims):
                mention = claim.get("mentions")
                if j in matched or not mention or mention not in span.text:
                    continue
                start = span.start + span.text.index(mention)
                cand = Candidate(registry.canonical(claim["actor"]), "person", Mention(mention, start, start + len(mention)), "gold")
                target = [0.0] * len(schema)
                for label in claim["labels"]:
                    target[schema.index(label)] = 1.0
                out.texts.append(encoder.pair_text(spans, i, cand))
                out.targets.append(target)
                out.added += 1
    return out


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
def _logits(net: StanceNet, encoder: PairEncoder, texts: list[Pair], batch_size: int = 64) -> torch.Tensor:
    net.eval()
    out = []
    for start in range(0, len(texts), batch_size):
        out.append(net(**encoder(texts[start : start + batch_size])).float())
    return torch.cat(out) if out else torch.zeros((0, net.config.n_labels))


def _loss(
    logits: torch.Tensor, targets: torch.Tensor, multi_label: bool, weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Return the training loss: BCE per label, or cross-entropy with the "no label" class.

    In a single-label schema a pair with no positive label (a candidate without a claim)
    is the implicit "no label" class (:func:`~stance.model.with_no_label`). ``weight``
    (see :func:`class_weights`) is BCE's ``pos_weight`` per label, or the cross-entropy
    weight per class (the labels, then "no label").
    """
    if multi_label:
        return nn.functional.binary_cross_entropy_with_logits(logits, targets, pos_weight=weight)
    return nn.functional.cross_entropy(with_no_label(logits), _classes(targets), weight=weight)


def _classes(targets: torch.Tensor) -> torch.Tensor:
    """Return each single-label pair's class index: its label, or the last ("no label")."""
    no_label = torch.full_like(targets[:, 0], targets.shape[1], dtype=torch.long)
    return torch.where(targets.sum(dim=1) > 0, targets.argmax(dim=1), no_label)


def class_weights(targets: torch.Tensor, multi_label: bool, power: float = 1.0) -> torch.Tensor:
    """Return "balanced" loss weights from the training targets, raised to ``power``.

    Single-label: per class (the labels, then "no label") ``n / (k * count)``, as
    scikit-learn's ``class_weight="balanced"``; multi-label: per label ``negatives /
    positives`` (BCE's ``pos_weight``). ``power`` 0.5 is a milder square-root weighting.
    A class absent from the data gets weight 1.
    """
    if multi_label:
        pos = targets.sum(dim=0)
        w = torch.where(pos > 0, (len(targets) - pos) / pos.clamp(min=1), torch.ones_like(pos))
    else:
        y = _classes(targets)
        counts = torch.bincount(y, minlength=targets.shape[1] + 1).float()
        present = counts > 0
        w = torch.where(present, len(y) / (int(present.sum()) * counts.clamp(min=1)), torch.ones_like(counts))
    return w.pow(power)


def fit_temperature(logits: torch.Tensor, targets: torch.Tensor, multi_label: bool = True) -> float:
    """Return the temperature that minimises the held-out loss of ``logits / T``."""
    if len(logits) == 0:
        return 1.0
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = _loss(logits / log_t.exp(), targets, multi_label)
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    t = float(log_t.detach().exp())
    return t if math.isfinite(t) and 0.05 < t < 20 else 1.0


def tune_thresholds(probs: np.ndarray, targets: np.ndarray, names: list[str], multi_label: bool = True) -> dict[str, float]:
    """Return, per label, the threshold in [0.05, 0.95] with the best F1 on the pairs given.

    In a single-label schema a pair gets a label only where it is the top-scoring one
    (as :class:`~stance.labeler.Labeler` decides), so only those pairs count for it.
    A label with no positive example keeps 0.5.
    """
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    thresholds = {}
    top = probs.argmax(axis=1) if len(probs) else np.zeros(0, dtype=int)
    for j, name in enumerate(names):
        y = targets[:, j] > 0.5
        if not y.any():
            thresholds[name] = 0.5
            continue
        best, best_f = 0.5, -1.0
        eligible = np.ones(len(probs), dtype=bool) if multi_label else top == j
        for t in grid:
            pred = (probs[:, j] >= t) & eligible
            tp = float((pred & y).sum())
            f = 2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0
            # ties go to the threshold nearest 0.5
            if f > best_f + 1e-12 or (abs(f - best_f) <= 1e-12 and abs(t - 0.5) < abs(best - 0.5)):
                best, best_f = float(t), f
        thresholds[name] = best
    return thresholds


def split_dev(
    documents: Sequence[dict[str, Any]], fraction: float, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (train, dev): a seeded share ``fraction`` of the documents held out as dev.

    The split is by document, so no sentence of a dev document is trained on.
    """
    if not 0 < fraction < 1:
        raise StanceError("E072", reason=f"the dev fraction must be between 0 and 1, got {fraction}")
    n_dev = max(1, round(len(documents) * fraction))
    if n_dev >= len(documents):
        raise StanceError("E072", reason=f"{len(documents)} documents are too few to hold out {fraction:.0%} as dev")
    order = list(range(len(documents)))
    random.Random(seed).shuffle(order)
    held = set(order[:n_dev])
    return [d for i, d in enumerate(documents) if i not in held], [d for i, d in enumerate(documents) if i in held]


@dataclass
class _Start:
    """What training continues from: a saved model's config, weights, schema and registry."""

    source: str
    config: ModelConfig
    state: dict[str, torch.Tensor]
    schema: LabelSchema
    registry: ActorRegistry


def _load_start(from_model: Any) -> _Start:
    from safetensors.torch import load_file

    from .labeler import Labeler

    if isinstance(from_model, Labeler):
        if from_model._weights is None:
            raise StanceError("E071", path="<labeler>", reason="it holds no trainable weights (a network still in training)")
        return _Start("<labeler>", copy.deepcopy(from_model.config), from_model._weights, from_model.schema, from_model.registry)
    path = Path(from_model)
    missing = [f for f in ("config.json", "weights.safetensors", "labels.json", "actors.jsonl") if not (path / f).is_file()]
    if missing:
        raise StanceError("E030", path=path, missing=", ".join(missing))
    config = ModelConfig.from_dict(json.loads((path / "config.json").read_text(encoding="utf-8")), path / "config.json")
    return _Start(str(path), config, load_file(str(path / "weights.safetensors")),
                  LabelSchema.from_disk(path / "labels.json"), ActorRegistry.from_disk(path / "actors.jsonl"))


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


def train(
    documents: Sequence[dict[str, Any]],
    *,
    schema: LabelSchema | None = None,
    registry: ActorRegistry | None = None,
    dev_documents: Sequence[dict[str, Any]] | None = None,
    base: str | None = None,
    epochs: int = 6,
    lr: float = 5e-4,
    batch_size: int = 16,
    class_weight: str | None = None,
    seed: int = 13,
    config: ModelConfig | None = None,
    data_files: Sequence[str | Path] = (),
    progress: bool = False,
    from_model: str | os.PathLike[str] | Any = None,
    dev_fraction: float = 0.0,
    patience: int | None = None,
    design: str | None = None,
) -> Any:
    """Return a :class:`~stance.labeler.Labeler` trained on gold ``documents``.

    Args:
        documents: annotated documents (the annotation guide's format); sentences may
            carry given ``targets`` instead of the candidate finder's.
        schema, registry: label schema and actor registry (default: the shipped model's,
            or ``from_model``'s). Labels used in the data are added to the schema.
        dev_documents: for model selection, early stopping and thresholds.
        dev_fraction: without ``dev_documents``, hold out this share of ``documents``
            (by document, seeded by ``seed``) as dev.
        patience: stop after this many epochs without a better dev macro-F1.
        class_weight: None (default: every pair counts the same), ``"balanced"`` or
            ``"sqrt"`` (the square root of balanced): loss weights from the label counts of
            the training pairs (:func:`class_weights`), for skewed label distributions.
        base: base encoder (default: the bundled all-MiniLM-L6-v2, or ``from_model``'s).
        from_model: a saved model folder (or Labeler) to continue from: its adapters,
            head, schema (extended by new labels; new head rows start fresh) and registry.
        progress: show a progress bar.
        design: the network's design, ``pair`` (one encoder pass per sentence and
            candidate) or ``shared`` (one pass per sentence; see :mod:`stance.model`);
            default: ``config``'s, or ``from_model``'s.

    With dev data, the epoch with the best dev sentence macro-F1 is kept and thresholds
    and temperature are fitted on dev; without, they are fitted on the training pairs.
    The same seed gives the same model on CPU.
    """
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    from .evaluation import evaluate
    from .labeler import DEFAULT_MODEL, Labeler, _quiet_transformers

    _quiet_transformers()
    if class_weight not in (None, "balanced", "sqrt"):
        raise ValueError(f"class_weight must be None, 'balanced' or 'sqrt', got {class_weight!r}")
    start = _load_start(from_model) if from_model is not None else None
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
        config = copy.deepcopy(start.config)
    # without a schema or registry, start from the shipped model's (they travel with the package)
    schema = schema or LabelSchema.from_disk(DEFAULT_MODEL / "labels.json")
    registry = registry or ActorRegistry.from_disk(DEFAULT_MODEL / "actors.jsonl")
    base = base or DEFAULT_BASE
    used = sorted({label for d in documents for s in d["sentences"] for c in s.get("claims", []) for label in c["labels"]})
    schema = schema.extended(used)  # labels used in the data but absent from the schema are added
    dev_split = None
    if dev_documents is None and dev_fraction:
        documents, dev_documents = split_dev(documents, dev_fraction, seed)
        dev_split = {"fraction": dev_fraction, "seed": seed, "documents": len(dev_documents)}
    if patience is not None and not dev_documents:
        raise StanceError("E072", reason="early stopping (patience) needs dev data: give dev documents or a dev fraction")
    config = copy.deepcopy(config) if config is not None else ModelConfig()  # the caller's stays as given
    if design is not None:
        if start is not None and design != start.config.design:
            raise StanceError("E071", path=start.source, reason=f"its design is '{start.config.design}', not '{design}'")
        check_design(design, "<train>")
        config.design = design
    config.base_model = str(base)
    config.n_labels = len(schema)
    config.multi_label = schema.multi_label
    _seed_everything(seed)
    started = time.time()
    base_dir = resolve_base(base)
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
    net = StanceNet.build(config, base_dir)
    if start is not None:
        _continue(net, start)
    encoder = PairEncoder(tokenizer, config)
    finder = CandidateFinder(registry)
    pairs = build_pairs(documents, finder, encoder, schema)
    if not pairs.texts:
        raise StanceError("E033")
    dev_pairs = build_pairs(dev_documents, finder, encoder, schema, add_uncovered=False) if dev_documents else None
    targets = torch.tensor(pairs.targets)
    weight = class_weights(targets, schema.multi_label, 1.0 if class_weight == "balanced" else 0.5) if class_weight else None
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    rng = random.Random(seed)
    steps = epochs * len(_batches(pairs, batch_size, random.Random(seed), by_text=config.design == "shared"))
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.1 * steps), steps)
    history: list[dict[str, Any]] = []
    best_state, best_score, best_epoch = None, -1.0, epochs
    stopped_early = None

    def make_labeler(state_net: StanceNet, thresholds: dict[str, float], temperature: float, merge: bool = True) -> Labeler:
        return Labeler(state_net, tokenizer, schema, registry, thresholds, temperature, merge=merge)

    def calibrate() -> tuple[dict[str, float], float, str]:
        source = dev_pairs if dev_pairs and dev_pairs.texts else pairs
        logits = _logits(net, encoder, source.texts)
        y = torch.tensor(source.targets)
        temperature = fit_temperature(logits, y, schema.multi_label)
        probs = label_probs(logits / temperature, schema.multi_label).numpy()
        thresholds = tune_thresholds(probs, y.numpy(), schema.names, schema.multi_label)
        return thresholds, temperature, "dev" if source is dev_pairs else "train"

    use_bf16 = config.train_bf16 and cpu_has_bf16()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="training", unit="batch")
    for epoch in range(epochs):
        epoch_started = time.time()
        net.train()
        total = 0.0
        for batch_idx in _batches(pairs, batch_size, rng, by_text=config.design == "shared"):
            inputs = encoder([pairs.texts[i] for i in batch_idx])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
                logits = net(**inputs).float()
            loss = _loss(logits, targets[batch_idx], schema.multi_label, weight)
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
        if dev_documents:
            thresholds, temperature, _ = calibrate()
            metrics = evaluate(make_labeler(net, thresholds, temperature, merge=False), dev_documents, n_bootstrap=0)
            record.update({k: metrics[k] for k in ("sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1")})
            if metrics["sentence_macro_f1"] > best_score:
                best_score, best_epoch = metrics["sentence_macro_f1"], epoch + 1
                best_state = net.trainable_state()
        record["seconds"] = round(time.time() - epoch_started, 1)
        history.append(record)
        log.info("epoch %s: %s", epoch + 1, record)
        if bar is not None and dev_documents:
            bar.write(f"epoch {epoch + 1}: loss {record['train_loss']:.4f}, dev macro-F1 {record['sentence_macro_f1']:.4f}",
                      file=sys.stderr)
        if patience is not None and epoch + 1 - best_epoch >= patience and epoch + 1 < epochs:
            stopped_early = epoch + 1
            break
    if bar is not None:
        bar.close()
    if best_state is not None:
        net.load_trainable_state(best_state)
    thresholds, temperature, tuned_on = calibrate()
    labeler = make_labeler(net, thresholds, temperature)  # folds the adapters in
    dev_metrics = evaluate(labeler, dev_documents, n_bootstrap=0) if dev_documents else None
    from . import __version__
    from .data import file_sha256

    labeler.metadata = {
        "stance_version": __version__,
        "base_model": str(base),
        "from_model": start.source if start else None,
        "from_labels": start.schema.names if start else None,
        "seed": seed,
        "epochs": epochs,
        "best_epoch": best_epoch if dev_documents else len(history),
        "stopped_early_at": stopped_early,
        "patience": patience,
        "lr": lr,
        "batch_size": batch_size,
        "train_bf16": use_bf16,
        "design": config.design,
        "data_files": {str(p): file_sha256(p) for p in data_files},
        "n_documents": len(documents),
        "n_sentences": sum(len(d["sentences"]) for d in documents),
        "n_pairs": len(pairs.texts),
        "n_positive_pairs": int((targets.sum(1) > 0).sum()),
        "gold_claims": pairs.gold_claims,
        "candidate_coverage": round(pairs.coverage, 4),
        "uncovered_pairs_added": pairs.added,
        "dev_documents": len(dev_documents) if dev_documents else 0,
        "dev_split": dev_split,
        "class_weight": class_weight,
        "class_weights": [round(float(w), 4) for w in weight] if weight is not None else None,
        "thresholds_tuned_on": tuned_on,
        "history": history,
        "dev_metrics": {k: v for k, v in dev_metrics.items() if k != "confusion"} if dev_metrics else None,
        "train_seconds": round(time.time() - started, 1),
        "torch": torch.__version__,
        "python": platform.python_version(),
    }
    if dev_documents:  # may precision="auto" use bf16 with this model? (recorded as bf16_agreement)
        labeler.check_precision({"dev": dev_documents})
    return labeler
