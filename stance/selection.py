"""Model selection: k-fold cross-validation of the training recipe.

>>> import stance                                                  # doctest: +SKIP
>>> cv = stance.cross_validate(stance.read_documents("seeds/seed-001.jsonl"), k=5)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import StanceError
from .evaluation import predict, score
from .splits import folds
from .training import train

__all__ = ["cross_validate"]


def cross_validate(
    documents: Sequence[dict[str, Any]],
    k: int = 5,
    n_bootstrap: int = 1000,
    seed: int = 0,
    **train_kwargs: Any,
) -> dict[str, Any]:
    """Return k-fold cross-validated metrics: train on k-1 folds, label the held-out fold.

    Folds come from :func:`stance.splits.folds` (documents, or sentence blocks when there
    are fewer than ``k`` documents). Predictions of all folds are pooled and scored once;
    per-fold headline scores are listed too. ``train_kwargs`` go to :func:`stance.train`.
    """
    if k < 2:
        raise StanceError("E034", k=k, n="a k below 2")
    n_sent = sum(len(d["sentences"]) for d in documents)
    if n_sent < k:
        raise StanceError("E034", k=k, n=n_sent)
    unit, splits = folds(documents, k)
    gold_all, pred_all, per_fold = [], [], []
    for train_docs, test_docs in splits:
        labeler = train(train_docs, seed=seed, **train_kwargs)
        preds = predict(labeler, test_docs)
        fold = score(test_docs, preds, labeler.schema, labeler.registry, n_bootstrap=0)
        per_fold.append({key: fold[key] for key in ("sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1", "n_sentences")})
        gold_all.extend(test_docs)
        pred_all.extend(preds)
    result = score(gold_all, pred_all, labeler.schema, labeler.registry, n_bootstrap, seed)
    result["cross_validation"] = {"k": k, "fold_unit": unit, "folds": per_fold}
    return result
