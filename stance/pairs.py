"""Step 3 of the pipeline: candidate actors -> (sentence, candidate) pairs the network reads.

Every place that turns sentences and candidates into model inputs calls this module, so
labelling, training, calibration and ``suggest`` always read the same pairs:

- :func:`sentence_pairs` gives the pairs of a document to *label*: the finder's
  candidates (or given targets) per sentence, each pair made to fit the encoder's window
  (:meth:`~stance.model.PairEncoder.fit_pairs`; sentences cut to fit are reported).
- :func:`gold_pairs` gives the pairs of *annotated* documents, each with its multi-hot
  target: the labels of the gold claim its candidate matches (registry-resolved), or no
  label. So the model learns attribution (which candidate holds a stance) and stance
  together. A gold claim that no candidate covers, but whose mention is in the sentence,
  is added as an extra pair (``add_uncovered``); its count is recorded as the finder's
  coverage. A given target with ``scores`` (label -> probability: a teacher's, written by
  :mod:`stance.distillation`) takes them as its soft target. Gold pairs are not window-fitted: the tokenizer truncates the rare long one,
  as the shipped model was trained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .actors import CandidateFinder, sentence_candidates
from .document import Candidate, Mention
from .model import Pair, PairEncoder
from .schema import LabelSchema
from .sentences import SentenceSpan, spans_from_sentences

__all__ = ["DocumentPairs", "TrainingPairs", "gold_pairs", "sentence_pairs"]

Targets = Sequence[Sequence[str | dict] | None] | None


@dataclass
class DocumentPairs:
    """The pairs of one document to label: per-sentence candidates, the pairs in sentence
    order (sentences without a candidate have none, so they skip the model) and the
    indices of the sentences cut to fit the window."""

    candidates: list[list[Candidate]]
    pairs: list[Pair]
    truncated: set[int]


def sentence_pairs(
    finder: CandidateFinder, encoder: PairEncoder, text: str, spans: Sequence[SentenceSpan], targets: Targets = None
) -> DocumentPairs:
    """Return the candidates and window-fitted pairs of a document's sentences."""
    candidates = sentence_candidates(finder, text, spans, targets)
    pairs: list[Pair] = []
    truncated = set()
    for i, cands in enumerate(candidates):
        if cands:
            fitted, cut = encoder.fit_pairs(spans, i, cands)
            pairs.extend(fitted)
            if cut:
                truncated.add(i)
    return DocumentPairs(candidates, pairs, truncated)


@dataclass
class TrainingPairs:
    """Encoded pair texts with multi-hot targets, and how well candidates covered gold."""

    texts: list[Pair] = field(default_factory=list)
    targets: list[list[float]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # how each pair's candidate was found
    # the same pairs as a second model reads them (``also``: a distillation teacher's encoder)
    also_texts: list[Pair] = field(default_factory=list)
    # the gold targets, where ``targets`` were mixed with a teacher's scores (distillation)
    gold_targets: list[list[float]] | None = None
    gold_claims: int = 0
    covered: int = 0
    added: int = 0

    @property
    def coverage(self) -> float:
        return self.covered / self.gold_claims if self.gold_claims else 1.0


def gold_pairs(
    documents: Sequence[dict[str, Any]],
    finder: CandidateFinder,
    encoder: PairEncoder,
    schema: LabelSchema,
    add_uncovered: bool = True,
    also: PairEncoder | None = None,
) -> TrainingPairs:
    """Return the (sentence, candidate) pairs of gold documents with their targets; with
    ``also``, each pair as that encoder builds it too (``also_texts``, in the same order)."""
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
            soft = [t.get("scores") if isinstance(t, dict) else None for t in targets[i]] if given else []
            for k, cand in enumerate(cands):
                target = [0.0] * len(schema)
                if k < len(soft) and soft[k] is not None:  # a teacher's scores of an unlabelled sentence
                    target = [float(soft[k].get(name, 0.0)) for name in schema.names]
                for j, claim in enumerate(claims):
                    # a given target takes the claims of exactly its actor; a found one, the registry's match
                    if claim["actor"] == cand.actor if given else registry.same_actor(cand.actor, claim["actor"]):
                        matched.add(j)
                        for label in claim["labels"]:
                            target[schema.index(label)] = 1.0
                out.texts.append(encoder.pair_text(spans, i, cand))
                out.targets.append(target)
                out.sources.append(cand.source)
                if also is not None:
                    out.also_texts.append(also.pair_text(spans, i, cand))
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
                out.sources.append(cand.source)
                if also is not None:
                    out.also_texts.append(also.pair_text(spans, i, cand))
                out.added += 1
    return out

