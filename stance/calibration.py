"""Calibration: turning the network's logits into decisions, and checking how well scores match outcomes.

Fitted after training, on dev data (or the training pairs without it), as scikit-learn's
``CalibratedClassifierCV`` is a step of its own rather than part of the model:

- :func:`fit_temperature`: one temperature that scales the logits to minimise the held-out loss;
- :func:`tune_thresholds`: a decision threshold per label (no fixed 0.5 for every label);
- :func:`class_weights`: "balanced" loss weights from the training pairs' label counts;
- :func:`pair_scores` and :func:`reliability`: every (sentence, candidate, label) triple of gold
  documents as a prediction, binned into a reliability table (expected calibration error).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .labeler import Labeler
from .model import single_label_classes, stance_loss
from .pairs import gold_pairs

__all__ = ["class_weights", "fit_temperature", "pair_scores", "reliability", "tune_thresholds"]


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
        y = single_label_classes(targets)
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
        loss = stance_loss(logits / log_t.exp(), targets, multi_label)
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


def pair_scores(
    labeler: Labeler, documents: Sequence[dict[str, Any]], temperature: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return flat arrays (scores, 0/1 outcomes) over every (pair, label) of the gold documents.

    Every (sentence, candidate, label) triple is one prediction: its score is the model's
    probability (after the temperature the model folder stores; ``temperature`` replaces it
    for this call, 1.0 gives the raw scores), its outcome whether the gold claim of that
    actor carries the label. The pairs are the ones training reads (:func:`stance.pairs.gold_pairs`).
    """
    pairs = gold_pairs(documents, labeler.finder, labeler.encoder, labeler.schema, add_uncovered=False)
    outcomes = np.array(pairs.targets, dtype=float).ravel()
    saved = labeler.temperature
    if temperature is not None:
        labeler.temperature = temperature
    try:
        scores = labeler.score_pairs(pairs.texts).numpy().ravel()
    finally:
        labeler.temperature = saved
    return scores, outcomes


def reliability(probs: np.ndarray, outcomes: np.ndarray, bins: int = 10) -> tuple[float, list[dict[str, Any]]]:
    """Return (ECE, per-bin rows) for flat arrays of probabilities and 0/1 outcomes.

    Bins are equal-width on [0, 1]; the expected calibration error weights each bin's
    gap between mean score and observed frequency by its count. Empty bins are left out.

    >>> round(reliability(np.array([0.1, 0.9]), np.array([0.0, 1.0]), bins=2)[0], 6)
    0.1
    """
    probs = np.asarray(probs, dtype=float)
    outcomes = np.asarray(outcomes, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(probs, edges[1:-1], right=True), 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        mask = index == b
        n = int(mask.sum())
        if not n:
            continue
        conf, acc = float(probs[mask].mean()), float(outcomes[mask].mean())
        ece += n / len(probs) * abs(acc - conf)
        rows.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "n": n, "confidence": conf, "accuracy": acc})
    return float(ece), rows
