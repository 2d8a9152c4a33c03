"""Active learning: which sentences to annotate next, as pre-annotated Label Studio tasks.

:func:`suggest` scores every (sentence, candidate actor) pair of a corpus with the
model, and ranks sentences by *uncertainty*: how close a label's score comes to that
label's decision threshold (1 at the threshold, 0 at a confident 0 or 1). Only
sentences with candidate actors are considered: the model says nothing about the
others. To keep the picks from being near copies, the most uncertain
``pool_factor * n`` sentences are embedded with the model's encoder and picked
greedily, each time the sentence with the largest ``uncertainty x distance to the
nearest pick so far`` (a k-center walk weighted by uncertainty); exact repeats of a
sentence are never picked twice.

:func:`to_label_studio` turns the picks into tasks for ``training/label_studio.xml``
with the model's claims as ``predictions``, so an annotator corrects them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .document import Claim
from .importers import LS_ACTOR, LS_IMPLICIT, LS_STANCE
from .labeler import Labeler
from .model import Pair
from .sentences import SentenceSpan, spans_from_sentences, split_sentences

__all__ = ["Suggestion", "suggest", "to_label_studio", "uncertainty"]


@dataclass
class Suggestion:
    """A sentence worth annotating, with the model's claims on it and why it was picked."""

    doc_id: str
    index: int
    text: str
    context: str
    uncertainty: float
    claims: list[Claim] = field(default_factory=list)
    start: int = 0  # offset of the sentence in its document (claims' mentions use document offsets)
    meta: dict[str, Any] = field(default_factory=dict)


def _normal(text: str) -> str:
    return " ".join(text.split())


def uncertainty(probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Return, per row, how near its most doubtful label is to that label's threshold.

    1 means a score exactly at the threshold, 0 a score of 0 or 1.

    >>> uncertainty(np.array([[0.5, 0.0], [0.9, 0.1]]), np.array([0.5, 0.5])).round(2).tolist()
    [1.0, 0.2]
    """
    if probs.size == 0:
        return np.zeros(len(probs))
    below = probs < thresholds
    scale = np.where(below, thresholds, 1.0 - thresholds)
    closeness = 1.0 - np.abs(probs - thresholds) / np.maximum(scale, 1e-6)
    return closeness.max(axis=1)


@torch.inference_mode()
def _embed(labeler: Labeler, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Return unit-length mean-pooled sentence embeddings from the labeler's encoder."""
    out = []
    encoder = labeler._fp32_net.encoder  # the torch net: an ONNX runtime has no encoder to call
    for start in range(0, len(texts), batch_size):
        batch = labeler.tokenizer(texts[start : start + batch_size], truncation=True, max_length=128,
                                  padding=True, return_tensors="pt")
        states = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
        mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        out.append(torch.nn.functional.normalize(mean.float(), dim=-1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 1))


def _diverse(scores: np.ndarray, embeddings: np.ndarray, n: int) -> list[int]:
    """Return ``n`` indices picked greedily by uncertainty x distance to the nearest pick."""
    picked = [int(np.argmax(scores))]
    nearest = 1.0 - embeddings @ embeddings[picked[0]]
    while len(picked) < min(n, len(scores)):
        gain = scores * np.clip(nearest, 0.0, None)
        gain[picked] = -1.0
        best = int(np.argmax(gain))
        picked.append(best)
        nearest = np.minimum(nearest, 1.0 - embeddings @ embeddings[best])
    return picked


def suggest(
    labeler: Labeler,
    documents: Iterable[str | Sequence[str]],
    n: int = 50,
    *,
    doc_ids: Iterable[str | None] | None = None,
    metas: Iterable[dict[str, Any] | None] | None = None,
    exclude: Iterable[tuple[str, int | str]] = (),
    pool_factor: int = 4,
    diversity: bool = True,
    batch_size: int = 64,
) -> list[Suggestion]:
    """Return up to ``n`` sentences whose annotation should help the model most.

    Args:
        labeler: a :class:`~stance.labeler.Labeler` (its scores, thresholds and encoder).
        documents: texts (split into sentences by the library) or lists of sentences.
        n: how many sentences to pick.
        doc_ids: one id per document (default: its position, as a string).
        metas: fields per document passed through to the tasks.
        exclude: ``(doc_id, sentence_index)`` or ``(doc_id, sentence_text)`` pairs never to
            pick (already annotated).
        pool_factor: the diversity walk runs over the ``pool_factor * n`` most uncertain.
        diversity: False ranks by uncertainty alone.

    >>> picks = suggest(stance.load(), texts, n=50)            # doctest: +SKIP
    >>> tasks = to_label_studio(picks)                         # doctest: +SKIP
    """
    excluded = {(str(d), x if isinstance(x, int) else _normal(x)) for d, x in exclude}
    ids = iter(doc_ids) if doc_ids is not None else None
    meta_iter = iter(metas) if metas is not None else None
    entries: list[tuple[str, int, list[SentenceSpan], dict[str, Any], int, int]] = []  # doc, sentence, spans, meta, pair range
    pairs: list[Pair] = []
    candidates_of: list[list[Any]] = []
    for number, document in enumerate(documents):
        doc_id = next(ids, None) if ids else None
        doc_id = str(number) if doc_id is None else str(doc_id)
        meta = (next(meta_iter, None) if meta_iter else None) or {}
        if isinstance(document, str):
            text, spans = document, split_sentences(document)
        else:
            text, spans = spans_from_sentences(list(document))
        prepared = labeler.prepare(text, spans)  # the pairs labelling scores, window-fitted
        offset = 0
        for i, cands in enumerate(prepared.candidates):
            own = prepared.pairs[offset : offset + len(cands)]
            offset += len(cands)
            if not cands or (doc_id, i) in excluded or (doc_id, _normal(spans[i].text)) in excluded:
                continue
            first = len(pairs)
            pairs.extend(own)
            entries.append((doc_id, i, spans, meta, first, len(pairs)))
            candidates_of.append(cands)
    if not entries:
        return []
    probs = labeler.score_pairs(pairs, batch_size).numpy()
    thresholds = np.array([labeler.thresholds.get(name, 0.5) for name in labeler.schema.names])
    pair_u = uncertainty(probs, thresholds)
    sentence_u = np.array([pair_u[a:b].max() for *_, a, b in entries])
    # one entry per distinct text: the most uncertain copy
    order = np.argsort(-sentence_u, kind="stable")
    seen: set[str] = set()
    distinct = []
    for k in order:
        doc_id, i, spans, *_ = entries[k]
        key = _normal(spans[i].text).lower()
        if key not in seen:
            seen.add(key)
            distinct.append(int(k))
    pool = distinct[: max(n, pool_factor * n)] if diversity else distinct[:n]
    if diversity and len(pool) > 1:
        embeddings = _embed(labeler, [entries[k][2][entries[k][1]].text for k in pool], batch_size)
        chosen = [pool[j] for j in _diverse(sentence_u[pool], embeddings, n)]
    else:
        chosen = pool[:n]
    picks = []
    for k in chosen:
        doc_id, i, spans, meta, a, b = entries[k]
        span = spans[i]
        claims = labeler._claims(candidates_of[k], torch.from_numpy(probs[a:b]))
        picks.append(Suggestion(doc_id, i, span.text, spans[i - 1].text if i > 0 else "", float(sentence_u[k]),
                                claims, span.start, dict(meta)))
    return picks


def to_label_studio(suggestions: Sequence[Suggestion], model_version: str = "stance") -> list[dict[str, Any]]:
    """Return Label Studio tasks for ``training/label_studio.xml``, pre-annotated.

    Each task's ``data`` has the sentence (``text``), the sentence before it
    (``context``), ``doc_id`` and ``sentence_index`` (so that ``stance import`` puts the
    sentence back in its document) and the ``uncertainty`` it was picked for; its
    ``predictions`` hold the model's claims as regions with labels and actor names.
    """
    tasks = []
    for s in suggestions:
        result: list[dict[str, Any]] = []
        implicit = []
        for k, claim in enumerate(s.claims):
            if claim.mention is None:
                implicit.append(f"{claim.actor}: {', '.join(claim.labels)}")
                continue
            start, end = claim.mention.start - s.start, claim.mention.end - s.start
            region = {"start": start, "end": end, "text": s.text[start:end]}
            result.append({"id": f"c{k}", "from_name": LS_STANCE, "to_name": "text", "type": "labels",
                           "value": {**region, "labels": list(claim.labels)},
                           "score": round(max(claim.scores[label] for label in claim.labels), 4)})
            result.append({"id": f"c{k}", "from_name": LS_ACTOR, "to_name": "text", "type": "textarea",
                           "value": {**region, "text": [claim.actor]}})
        if implicit:
            result.append({"id": "implicit", "from_name": LS_IMPLICIT, "to_name": "text", "type": "textarea",
                           "value": {"text": implicit}})
        tasks.append({
            "data": {**s.meta, "text": s.text, "context": s.context, "doc_id": s.doc_id, "sentence_index": s.index,
                     "uncertainty": round(s.uncertainty, 4)},
            "predictions": [{"model_version": model_version, "score": round(s.uncertainty, 4), "result": result}],
        })
    return tasks
