"""Scoring predictions against gold annotations, on the gold sentence boundaries.

Keys follow spaCy's flat style so that results are easy to log and compare:

- sentence level (a sentence's labels = union of its claims' labels):
  ``sentence_micro_f1``, ``sentence_macro_f1``, ``per_label`` {label: p, r, f, support};
- claim level, (actor, label) pairs per sentence with actor names resolved through the
  registry (unregistered names match on trailing tokens): ``claim_micro_p/r/f1``;
- attribution, (actor) per sentence regardless of label: ``actor_p/r/f1``;
- ``sentence_exact_match``: share of sentences whose claims are exactly right;
- ``ci95``: bootstrap 95% intervals over sentences; ``confusion``: gold label (rows)
  against predicted label (columns) per sentence, with ``none`` for no claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from .document import Doc
from .labeler import Labeler
from .registry import ActorRegistry
from .schema import LabelSchema

__all__ = ["ERROR_TYPES", "MISSED_KINDS", "candidate_coverage", "error_types", "evaluate", "predict", "score",
           "sentence_errors"]


@dataclass
class _Unit:
    gold_labels: set[str]
    pred_labels: set[str]
    gold_claims: set[tuple[str, str]]
    pred_claims: set[tuple[str, str]]
    gold_actors: set[str]
    pred_actors: set[str]


def _align(gold: Sequence[str], pred: Sequence[str], registry: ActorRegistry) -> dict[str, str]:
    """Map each predicted actor name to the gold name it denotes (or its canonical name)."""
    mapping = {}
    for p in pred:
        match = next((g for g in gold if registry.same_actor(p, g)), None)
        mapping[p] = match if match is not None else registry.canonical(p)
    return mapping


def _units(gold_docs: Sequence[dict[str, Any]], pred_docs: Sequence[Doc], registry: ActorRegistry) -> list[_Unit]:
    units = []
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        for gsent, psent in zip(gold["sentences"], pred.sentences, strict=True):
            gclaims = {(c["actor"], label) for c in gsent.get("claims", []) for label in c["labels"]}
            gactors = [c["actor"] for c in gsent.get("claims", [])]
            mapping = _align(gactors, [c.actor for c in psent.claims], registry)
            pclaims = {(mapping[c.actor], label) for c in psent.claims for label in c.labels}
            units.append(
                _Unit(
                    {label for _, label in gclaims},
                    set(psent.labels),
                    gclaims,
                    pclaims,
                    set(gactors),
                    {mapping[c.actor] for c in psent.claims},
                )
            )
    return units


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _headline(units: Sequence[_Unit], names: list[str]) -> dict[str, Any]:
    y_true = np.array([[n in u.gold_labels for n in names] for u in units], dtype=int).reshape(-1, len(names))
    y_pred = np.array([[n in u.pred_labels for n in names] for u in units], dtype=int).reshape(-1, len(names))
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0, labels=range(len(names)))
    micro = precision_recall_fscore_support(y_true, y_pred, average="micro", zero_division=0)
    present = (y_true.sum(0) + y_pred.sum(0)) > 0
    claim = _prf(*[sum(len(x) for x in parts) for parts in _tp_fp_fn((u.gold_claims, u.pred_claims) for u in units)])
    actor = _prf(*[sum(len(x) for x in parts) for parts in _tp_fp_fn((u.gold_actors, u.pred_actors) for u in units)])
    return {
        "sentence_micro_p": float(micro[0]),
        "sentence_micro_r": float(micro[1]),
        "sentence_micro_f1": float(micro[2]),
        # labels absent from both gold and predictions (possible in a bootstrap sample) are left out
        "sentence_macro_f1": float(np.mean(f[present])) if present.any() else 0.0,
        "claim_micro_p": claim[0],
        "claim_micro_r": claim[1],
        "claim_micro_f1": claim[2],
        "actor_p": actor[0],
        "actor_r": actor[1],
        "actor_f1": actor[2],
        # share of sentences whose predicted (actor, label) set equals the gold one exactly
        "sentence_exact_match": float(np.mean([u.gold_claims == u.pred_claims for u in units])) if units else 0.0,
        "per_label": {
            n: {"p": float(p[i]), "r": float(r[i]), "f1": float(f[i]), "support": int(support[i])}
            for i, n in enumerate(names)
        },
    }


def _tp_fp_fn(pairs: Any) -> tuple[list[set[Any]], list[set[Any]], list[set[Any]]]:
    tp, fp, fn = [], [], []
    for gold, pred in pairs:
        tp.append(gold & pred)
        fp.append(pred - gold)
        fn.append(gold - pred)
    return tp, fp, fn


def _confusion(units: Sequence[_Unit], names: list[str]) -> dict[str, dict[str, int]]:
    keys = [*names, "none"]
    table = {g: dict.fromkeys(keys, 0) for g in keys}
    for u in units:
        for g in sorted(u.gold_labels) or ["none"]:
            for p in sorted(u.pred_labels) or ["none"]:
                table[g][p] += 1
    return table


def score(
    gold_docs: Sequence[dict[str, Any]],
    pred_docs: Sequence[Doc],
    schema: LabelSchema,
    registry: ActorRegistry,
    n_bootstrap: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Return the metrics of ``pred_docs`` against ``gold_docs`` (same sentences, same order)."""
    names = schema.names
    units = _units(gold_docs, pred_docs, registry)
    result = _headline(units, names)
    result["n_documents"] = len(gold_docs)
    result["n_sentences"] = len(units)
    result["n_gold_claims"] = sum(len(u.gold_actors) for u in units)
    result["n_pred_claims"] = sum(len(u.pred_actors) for u in units)
    result["confusion"] = _confusion(units, names)
    if n_bootstrap and units:
        rng = np.random.default_rng(seed)
        keys = ("sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1", "claim_micro_p", "claim_micro_r", "actor_f1")
        draws: dict[str, list[float]] = {k: [] for k in keys}
        per_label: dict[str, list[float]] = {n: [] for n in names}
        for _ in range(n_bootstrap):
            sample = [units[i] for i in rng.integers(0, len(units), len(units))]
            h = _headline(sample, names)
            for k in keys:
                draws[k].append(h[k])
            for n in names:
                per_label[n].append(h["per_label"][n]["f1"])
        result["ci95"] = {k: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))] for k, v in draws.items()}
        for n in names:
            result["per_label"][n]["f1_ci95"] = [float(np.percentile(per_label[n], 2.5)), float(np.percentile(per_label[n], 97.5))]
        result["bootstrap"] = {"n": n_bootstrap, "unit": "sentence", "seed": seed}
    return result


def _targets(document: dict[str, Any]) -> list[Any] | None:
    """Return a gold document's given targets per sentence (None where the finder proposes)."""
    targets = [s.get("targets") for s in document["sentences"]]
    return targets if any(t is not None for t in targets) else None


def evaluate(
    labeler: Labeler,
    documents: Sequence[dict[str, Any]],
    n_bootstrap: int = 1000,
    seed: int = 0,
    batch_size: int = 128,
) -> dict[str, Any]:
    """Label the gold documents' sentences with ``labeler`` and return the metrics, with the
    candidate finder's coverage of the gold claims (:func:`candidate_coverage`).

    >>> import stance                                                  # doctest: +SKIP
    >>> docs = stance.read_documents("seeds/seed-001.jsonl")             # doctest: +SKIP
    >>> stance.evaluate(stance.load(), docs)["sentence_macro_f1"]        # doctest: +SKIP
    """
    preds = predict(labeler, documents, batch_size)
    result = score(documents, preds, labeler.schema, labeler.registry, n_bootstrap, seed)
    result["candidate_coverage"] = candidate_coverage(documents, preds, labeler.registry)
    return result


def predict(labeler: Labeler, documents: Sequence[dict[str, Any]], batch_size: int = 128) -> list[Doc]:
    """Return ``labeler``'s documents for the gold documents, on the gold sentence boundaries."""
    return list(
        labeler.pipe_sentences(
            ([s["text"] for s in d["sentences"]] for d in documents),
            batch_size=batch_size,
            doc_ids=[d.get("doc_id") for d in documents],
            targets=[_targets(d) for d in documents],
        )
    )


def sentence_errors(
    gold_docs: Sequence[dict[str, Any]], pred_docs: Sequence[Doc], registry: ActorRegistry
) -> list[dict[str, Any]]:
    """Return the sentences whose (actor, label) claims are wrong, worst first.

    Actors are matched as :func:`score` matches them. Each entry names the document and
    sentence, its gold and predicted claims (with scores), the missed and the spurious
    (actor, label) pairs; the order is most wrong pairs first, then the most confident
    spurious score.
    """
    units = _units(gold_docs, pred_docs, registry)
    sentences = [(g, gs, ps) for g, p in zip(gold_docs, pred_docs) for gs, ps in zip(g["sentences"], p.sentences)]
    out = []
    for unit, (gold, gsent, psent) in zip(units, sentences):
        if unit.gold_claims == unit.pred_claims:
            continue
        mapping = _align([c["actor"] for c in gsent.get("claims", [])], [c.actor for c in psent.claims], registry)
        score_of = {(mapping[c.actor], label): c.scores.get(label) for c in psent.claims for label in c.labels}
        spurious = [{"actor": a, "label": lab, "score": score_of.get((a, lab))} for a, lab in sorted(unit.pred_claims - unit.gold_claims)]
        missed = []
        for a, lab in sorted(unit.gold_claims - unit.pred_claims):
            # the model's score for the missed label, when it did predict that actor with another label
            pred = next((c for c in psent.claims if mapping[c.actor] == a), None)
            missed.append({"actor": a, "label": lab, "score": pred.scores.get(lab) if pred else None})
        out.append({
            "doc_id": gold.get("doc_id"),
            "sentence": psent.index,
            "text": gsent["text"],
            "gold": [{"actor": c["actor"], "labels": list(c["labels"])} for c in gsent.get("claims", [])],
            "predicted": [{"actor": c.actor, "labels": list(c.labels), "scores": {k: round(v, 4) for k, v in c.scores.items()}}
                          for c in psent.claims],
            "missed": missed,
            "spurious": spurious,
        })
    out.sort(key=lambda e: (-(len(e["missed"]) + len(e["spurious"])), -max([s["score"] or 0.0 for s in e["spurious"]] or [0.0])))
    return out


ERROR_TYPES = {
    "spurious_no_gold": "claim predicted in a sentence with no gold claim",
    "missed_below_threshold": "gold claim whose actor was a candidate but scored below threshold",
    "missed_no_candidate": "gold claim whose actor was not a candidate (finder or attribution miss)",
    "wrong_actor": "claim given to an actor with no gold claim, in a sentence that has gold claims",
    "wrong_labels": "right actor, a label missed or added",
}


def error_types(
    gold_docs: Sequence[dict[str, Any]], pred_docs: Sequence[Doc], registry: ActorRegistry
) -> dict[str, list[dict[str, Any]]]:
    """Sort every wrong (actor, label) pair into one of :data:`ERROR_TYPES`.

    A missed pair is ``missed_no_candidate`` when no candidate of the sentence denotes its
    actor, ``wrong_labels`` when the model gave that actor other labels, and otherwise
    ``missed_below_threshold``. A spurious pair is ``spurious_no_gold`` in a sentence with
    no gold claim, ``wrong_labels`` when its actor holds other gold labels there, and
    otherwise ``wrong_actor``. Each entry names the document, the sentence index, the
    actor, the label and the model's score for it where the sentence's claims keep one.
    """
    out: dict[str, list[dict[str, Any]]] = {key: [] for key in ERROR_TYPES}
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        for gsent, psent in zip(gold["sentences"], pred.sentences, strict=True):
            gold_actors = [c["actor"] for c in gsent.get("claims", [])]
            gclaims = {(c["actor"], label) for c in gsent.get("claims", []) for label in c["labels"]}
            mapping = _align(gold_actors, [c.actor for c in psent.claims], registry)
            pclaims = {(mapping[c.actor], label): c.scores.get(label) for c in psent.claims for label in c.labels}
            predicted_actors = {mapping[c.actor] for c in psent.claims}
            found: list[tuple[str, str, str, float | None]] = []
            for actor, label in sorted(gclaims - set(pclaims)):
                candidate = any(registry.same_actor(c.actor, actor) for c in psent.candidates)
                # the score is kept only for actors the model gave a claim (with other labels)
                score = next((c.scores.get(label) for c in psent.claims if mapping[c.actor] == actor), None)
                if not candidate:
                    kind = "missed_no_candidate"
                elif actor in predicted_actors:
                    kind = "wrong_labels"
                else:
                    kind = "missed_below_threshold"
                found.append((kind, actor, label, score))
            for (actor, label), score in sorted(pclaims.items()):
                if (actor, label) not in gclaims:
                    kind = "spurious_no_gold" if not gclaims else "wrong_labels" if actor in gold_actors else "wrong_actor"
                    found.append((kind, actor, label, score))
            for kind, actor, label, score in found:
                out[kind].append({"doc_id": gold.get("doc_id"), "sentence": psent.index, "actor": actor, "label": label,
                                  "score": None if score is None else round(score, 4)})
    return out


MISSED_KINDS = {
    "implicit": "the sentence has no word for the holder (gold mention null: a quote continued, a speaker named later)",
    "first_person": "I, we, us, our... (inside a quote: its speaker)",
    "pronoun": "he, she, they, his, their...",
    "description": "a lower-case description: the senator, officials, the country's congress",
    "adjective": "a demonym or adjective: Brazilian, Argentine, American",
    "name": "a capitalised name the finder did not propose (unregistered person, title kept, organisation)",
    "other": "anything else",
}
_FIRST_PERSON = {"i", "we", "me", "us", "my", "our", "ours", "myself", "ourselves"}
_THIRD_PERSON = {"he", "she", "they", "him", "her", "his", "hers", "them", "their", "theirs", "it", "its"}


def _missed_kind(mention: str | None) -> str:
    if not mention:
        return "implicit"
    words = mention.split()
    first = words[0].lower().strip("'’\".,")
    if len(words) == 1 and first in _FIRST_PERSON:
        return "first_person"
    if len(words) == 1 and first in _THIRD_PERSON:
        return "pronoun"
    if mention[:1].islower() or first in ("the", "a", "an"):
        return "description"
    if len(words) == 1 and re.search(r"(?:an|ian|ese|ish|i|ic)$", first):
        return "adjective"
    if mention[:1].isupper():
        return "name"
    return "other"


def candidate_coverage(
    gold_docs: Sequence[dict[str, Any]], pred_docs: Sequence[Doc], registry: ActorRegistry
) -> dict[str, Any]:
    """Return how well the candidate finder reached the gold holders.

    A gold (actor, label) pair is *covered* when a candidate of its sentence denotes its actor
    (registry-resolved, as :func:`score` matches actors): the model can only claim what the
    finder proposes. Keys: ``coverage`` (covered pairs / gold pairs), ``gold_pairs``,
    ``covered``; ``by_source``: covered pairs per candidate source (registry, name, pronoun,
    description, generic, given...); ``missed_by_kind``: uncovered pairs per kind of their gold
    mention (:data:`MISSED_KINDS`); ``missed_nameable``: uncovered pairs whose gold mention,
    read as an actor name, denotes the gold actor (what a mention tagger that names each span it
    tags by its words could add at most); ``candidates_per_sentence``: mean, and the share of
    sentences with none.
    """
    covered = total = 0
    by_source: dict[str, int] = {}
    missed: dict[str, int] = dict.fromkeys(MISSED_KINDS, 0)
    nameable = 0
    n_candidates, n_sentences, empty = 0, 0, 0
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        for gsent, psent in zip(gold["sentences"], pred.sentences, strict=True):
            n_sentences += 1
            n_candidates += len(psent.candidates)
            empty += not psent.candidates
            for claim in gsent.get("claims", []):
                match = next((c for c in psent.candidates if registry.same_actor(c.actor, claim["actor"])), None)
                n = len(claim["labels"])
                total += n
                if match is not None:
                    covered += n
                    by_source[match.source] = by_source.get(match.source, 0) + n
                else:
                    missed[_missed_kind(claim.get("mentions"))] += n
                    mention = claim.get("mentions")
                    nameable += n if mention and registry.same_actor(mention, claim["actor"]) else 0
    return {
        "coverage": covered / total if total else 1.0,
        "gold_pairs": total,
        "covered": covered,
        "by_source": dict(sorted(by_source.items(), key=lambda kv: -kv[1])),
        "missed_by_kind": missed,
        "missed_nameable": nameable,
        "candidates_per_sentence": n_candidates / n_sentences if n_sentences else 0.0,
        "sentences_without_candidates": empty / n_sentences if n_sentences else 0.0,
    }
