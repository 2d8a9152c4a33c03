"""Held-out data for model selection: a seeded dev split by document, and k folds.

Both split by document, so no sentence of a held-out document is trained on. Training
(:func:`stance.train` with ``dev_fraction``) and cross-validation
(:func:`stance.selection.cross_validate`) take their held-out data from here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import StanceError

__all__ = ["folds", "split_dev"]

Documents = list[dict[str, Any]]


def split_dev(documents: Sequence[dict[str, Any]], fraction: float, seed: int) -> tuple[Documents, Documents]:
    """Return (train, dev): a seeded share ``fraction`` of the documents held out as dev.

    >>> train, dev = split_dev([{"doc_id": str(i), "sentences": []} for i in range(10)], 0.2, seed=1)
    >>> len(train), len(dev)
    (8, 2)
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


def folds(documents: Sequence[dict[str, Any]], k: int) -> tuple[str, list[tuple[Documents, Documents]]]:
    """Return (unit, [(train_docs, test_docs)]): ``k`` folds of documents, or of sentence blocks.

    Folds are documents when there are at least ``k`` of them, otherwise contiguous blocks
    of each document's sentences (as for the one-article seed).
    """
    if len(documents) >= k:
        out = []
        for f in range(k):
            test = [d for i, d in enumerate(documents) if i % k == f]
            train = [d for i, d in enumerate(documents) if i % k != f]
            out.append((train, test))
        return "document", out
    out = []
    for f in range(k):
        train, test = [], []
        for d in documents:
            n = len(d["sentences"])
            bounds = np.linspace(0, n, k + 1).astype(int)
            lo, hi = bounds[f], bounds[f + 1]
            kept = d["sentences"][:lo] + d["sentences"][hi:]
            held = d["sentences"][lo:hi]
            if kept:
                train.append({**d, "sentences": kept})
            if held:
                test.append({**d, "sentences": held})
        out.append((train, test))
    return "sentence block", out
