"""How well the model's scores match how often it is right: pair scores and reliability bins.

Every (sentence, candidate, label) triple of gold documents is one prediction: its score
is the model's probability (after the temperature the model folder stores), its outcome
whether the gold claim of that actor carries the label. Candidates come from the same
finder and pair builder as training (:func:`stance.training.build_pairs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["pair_scores", "reliability"]


def pair_scores(
    labeler: Any, documents: Sequence[dict[str, Any]], temperature: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return flat arrays (scores, 0/1 outcomes) over every (pair, label) of the gold documents.

    ``temperature`` replaces the labeler's own for this call (1.0 gives the raw scores).
    """
    from .training import build_pairs

    pairs = build_pairs(documents, labeler.finder, labeler.encoder, labeler.schema, add_uncovered=False)
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
