"""The pipeline: text -> sentences -> candidate actors -> model -> claims -> Doc.

A :class:`Labeler` is what :func:`stance.load` returns. A saved labeler is a folder::

    config.json        network and input settings (ModelConfig)
    weights.safetensors  LoRA adapters + head (the encoder comes from ``base_model``)
    labels.json        label schema
    actors.jsonl       actor registry
    thresholds.json    per-label decision thresholds and score temperature
    training_config.json the recipe it was trained with (TrainingConfig), for a rebuild
    training.json      how it was trained: data hashes, seed, base model, metrics
    training_log.jsonl per-epoch log: training loss, dev metrics, seconds
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch.ao.quantization import quantize_dynamic
from transformers import AutoTokenizer

from .actors import CandidateFinder
from .config import TRAINING_CONFIG_FILE, TrainingConfig
from .defaults import DEFAULT_MODEL
from .document import Candidate, Claim, Doc, Sentence
from .errors import StanceError
from .jsonl import read_json, write_json
from .model import (
    ModelConfig,
    Pair,
    PairEncoder,
    StanceNet,
    as_pairs,
    cpu_has_bf16,
    label_probs,
    quiet_transformers,
    resolve_base,
)
from .pairs import DocumentPairs, Targets, sentence_pairs
from .registry import ActorRegistry
from .runtimes import ONNX_RUNTIMES, TIMING_TEXT, measured_choice, model_key, onnx_available, onnx_net
from .schema import LabelSchema
from .sentences import SentenceSpan, spans_from_sentences, split_sentences

__all__ = [
    "AGREEMENT_BAR", "AUTO_ORDER", "DEFAULT_MODEL", "auto_candidates", "MAX_TOKENS", "PRECISIONS", "Labeler", "ModelFiles", "claim_agreement",
    "read_model_folder", "recorded_agreement", "resolve_precision", "runtime_usable",
]

ENSEMBLE_FILE = "ensemble.json"
_FILES = ("config.json", "weights.safetensors", "labels.json", "actors.jsonl", "thresholds.json")
PRECISIONS = ("auto", "fp32", "bf16", "int8", *ONNX_RUNTIMES)
# what precision="auto" tries, fastest first, where the CPU and the model's checks allow
AUTO_ORDER = ("bf16", "onnx-int8", "onnx")

# tokens one forward pass may hold per runtime (sentence rows x padded length), unless
# Labeler.max_tokens says otherwise: it bounds peak memory. Measured with the session-8 model
# on 2,408 real-news pairs, 1 thread: ONNX Runtime is as fast or faster with 2,048 than
# uncapped, and its arena grows less; torch fp32 is the same at 2,048-8,192; bf16 (AMX) slows
# by 1.2x at 4,096 and 1.5x at 2,048, so it is capped only above the longest batch
MAX_TOKENS = {"fp32": 4096, "int8": 4096, "bf16": 16384, "onnx": 2048, "onnx-int8": 2048}

# a faster precision replaces fp32 only where it gives at least this share of identical claims
AGREEMENT_BAR = 0.99
# in bf16 and int8, pairs scored this close to a decision are scored again in fp32. int8 scores
# move further: ONNX int8 kept 0.991 of fp32's claims with bf16's margin and 1.000 with 0.06 on
# the session-7 model's first two dev files, and 0.989 / 0.994 / 1.000 with 0.06 / 0.08 / 0.10 on all
# dev files with the session-8 model: 0.08 is the smallest of those that meets the bar there
RECHECK_MARGINS = {"bf16": 0.03, "int8": 0.08, "onnx-int8": 0.08}


def runtime_usable(runtime: str) -> bool:
    """Whether this machine can run ``runtime`` fast: bf16 needs native bf16, ONNX needs ONNX Runtime."""
    if runtime == "bf16":
        return cpu_has_bf16()
    if runtime in ONNX_RUNTIMES:
        return onnx_available()
    return True


def auto_candidates(agreement: dict[str, dict[str, float]] | None = None) -> list[str]:
    """Return the runtimes ``precision="auto"`` may take, in :data:`AUTO_ORDER`: those this
    machine runs fast (:func:`runtime_usable`: bf16 only where the CPU has native bfloat16,
    AVX512-BF16 or AMX) *and* whose recorded check kept at least :data:`AGREEMENT_BAR` of fp32's
    claims on every set checked (``agreement``: runtime -> set -> share, from
    :meth:`Labeler.check_precision`: seed and dev for the shipped model, dev for a model
    trained with dev data). Torch's dynamic int8 is never one of them.
    """
    out = []
    for runtime in AUTO_ORDER:
        checked = (agreement or {}).get(runtime)
        if checked and min(checked.values()) >= AGREEMENT_BAR and runtime_usable(runtime):
            out.append(runtime)
    return out


def resolve_precision(precision: str, agreement: dict[str, dict[str, float]] | None = None) -> str:
    """Return the inference precision (runtime) to use without timing anything.

    A named precision is itself; ``auto`` is the first of :func:`auto_candidates` (bf16
    autocast, ONNX Runtime int8, ONNX Runtime fp32), else fp32. :meth:`Labeler.set_precision`
    times the candidates on this machine where there are several and takes the fastest
    (:func:`stance.runtimes.measured_choice`). ``eval/bench_inference.py`` measures every
    runtime's speed and agreement.
    """
    if precision not in PRECISIONS:
        raise StanceError("E080", value=precision, choices=", ".join(PRECISIONS))
    if precision != "auto":
        return precision
    candidates = auto_candidates(agreement)
    return candidates[0] if candidates else "fp32"


def recorded_agreement(metadata: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Return a model's recorded runtime checks (``runtime_agreement``; models built before
    it record bf16's alone, as ``bf16_agreement``)."""
    agreement = dict(metadata.get("runtime_agreement") or {})
    if metadata.get("bf16_agreement") and "bf16" not in agreement:
        agreement["bf16"] = metadata["bf16_agreement"]
    return agreement


def claim_agreement(a: set[tuple], b: set[tuple]) -> float:
    """Return the share of claims two runs agree on: identical claims over all claims of either."""
    return len(a & b) / len(a | b) if a | b else 1.0


class Labeler:
    """Label documents with claims: who holds which stance, per sentence.

    >>> import stance
    >>> labeler = stance.load()                                   # doctest: +SKIP
    >>> doc = labeler("Petro warned against foreign military action.")  # doctest: +SKIP
    >>> [(c.actor, c.labels) for c in doc.claims]                  # doctest: +SKIP
    [('Gustavo Petro', ['sovereignty'])]
    """

    def __init__(
        self,
        net: StanceNet,
        tokenizer: Any,
        schema: LabelSchema,
        registry: ActorRegistry,
        thresholds: dict[str, float],
        temperature: float = 1.0,
        metadata: dict[str, Any] | None = None,
        merge: bool = True,
        precision: str = "fp32",
    ) -> None:
        # adapters are kept as trained (that is what gets saved), then folded into the encoder
        # for speed; merge=False scores a network that is still training (dev evaluation)
        self._weights = net.trainable_state() if merge else None
        self.net = (net.merged() if merge else net).eval()
        self.tokenizer = tokenizer
        self.schema = schema
        self.registry = registry
        self.thresholds = dict(thresholds)
        self.temperature = temperature
        self.metadata = metadata or {}
        self.encoder = PairEncoder(tokenizer, self.net.config)
        self.finder = CandidateFinder(registry, self.net.config.candidate_sources)
        self.precision = "fp32"
        self.sort_window = 8
        # a forward pass holds at most this many tokens (sentence rows x padded length; None:
        # the runtime's MAX_TOKENS): long sentences get fewer pairs per pass, so peak memory
        # is the same on any corpus
        self.max_tokens: int | None = None
        self._fp32_net = self.net
        self._key: str | None = None
        # how auto chose among several runtimes on this machine (stance.runtimes.measured_choice), if it did
        self.runtime_choice: dict[str, Any] | None = None
        # the recipe it was trained with (stance.train sets it; saved as training_config.json)
        self.training_config: TrainingConfig | None = None
        self.set_precision(precision)

    @property
    def config(self) -> ModelConfig:
        return self.net.config

    def with_registry(self, registry: ActorRegistry) -> Labeler:
        """Return a labeler that finds actors with ``registry`` (same network and thresholds)."""
        other = copy.copy(self)
        other.registry = registry
        other.finder = CandidateFinder(registry, self.config.candidate_sources)
        return other

    def set_precision(self, precision: str = "auto") -> Labeler:
        """Choose how the network computes at inference (:data:`PRECISIONS`): ``fp32``;
        ``bf16`` (autocast); ``int8`` (torch dynamic quantisation of the linear layers);
        ``onnx`` / ``onnx-int8`` (ONNX Runtime, fp32 or int8 weights: :mod:`stance.runtimes`,
        exported once per model and CPU kind and cached); or ``auto``, the fastest of them
        this CPU runs natively that the model's recorded check (:meth:`check_precision`)
        found to keep fp32's claims, else fp32 (:func:`auto_candidates`); where several
        qualify, the one that labels fastest on this machine, timed once and cached
        (:func:`stance.runtimes.measured_choice`). In bf16 and int8, the pairs scored within
        :data:`RECHECK_MARGINS` of a threshold are scored again in fp32. Returns the labeler itself.
        """
        if precision == "auto":
            self.runtime_choice = None
            candidates = auto_candidates(recorded_agreement(self.metadata))
            if len(candidates) > 1 and os.environ.get("STANCE_AUTO_MEASURE", "") != "0":
                self.runtime_choice = measured_choice(self.model_key, candidates, self._time_runtime)
                precision = self.runtime_choice["chosen"]
            else:
                precision = candidates[0] if candidates else "fp32"
        precision = resolve_precision(precision)
        if precision == "bf16" and not cpu_has_bf16():
            precision = "fp32"  # emulated bf16 is slower than fp32: fall back
        if precision == "int8":
            self.net = quantize_dynamic(copy.deepcopy(self._fp32_net), {torch.nn.Linear}, dtype=torch.qint8).eval()
        elif precision in ONNX_RUNTIMES:
            self.net = onnx_net(self._fp32_net, self._export_sample(), self.model_key, precision)
        else:
            self.net = self._fp32_net
        # the fp32 re-check of ONNX int8 runs on ONNX fp32 (the same scores as torch fp32 within 1e-4, faster)
        self._recheck_net = (onnx_net(self._fp32_net, self._export_sample(), self.model_key, "onnx")
                             if precision == "onnx-int8" else self._fp32_net)
        self.precision = precision
        return self

    @property
    def model_key(self) -> str:
        """The sha256 of this model's network config and trained weights (keys cached exports)."""
        if self._key is None:
            weights = self._weights if self._weights is not None else self._fp32_net.state_dict()
            self._key = model_key(self.config.to_dict(), weights)
        return self._key

    def _time_runtime(self, runtime: str, repeats: int = 2) -> float:
        """Seconds this labeler takes in ``runtime`` to score the pairs of :data:`TIMING_TEXT`
        (eight times over, batch size 128, the fp32 re-check included): the best of ``repeats``
        runs after a warm-up."""
        self.set_precision(runtime)
        text = TIMING_TEXT
        spans = split_sentences(text)
        pairs = self.prepare(text, spans).pairs * 8
        self.score_pairs(pairs[:32])
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            self.score_pairs(pairs)
            best = min(best, time.perf_counter() - start)
        return best

    def _export_sample(self) -> dict[str, torch.Tensor]:
        """An encoded batch of two pairs of different lengths, to trace the network with."""
        pairs = [Pair("United States", "The United States announced new sanctions.", (4, 17)),
                 Pair("Venezuela", "Caracas rejected them | as a violation of its sovereignty, officials said.")]
        return self.encoder(pairs)

    def gold_claims(self, documents: Sequence[dict[str, Any]]) -> set[tuple]:
        """Return this labeler's (document, sentence, actor, label) claims on gold documents'
        sentences, at its current precision."""
        docs = self.pipe_sentences([[s["text"] for s in d["sentences"]] for d in documents],
                                   doc_ids=[d.get("doc_id") or f"#{i}" for i, d in enumerate(documents)])
        return {(doc.doc_id, s.index, c.actor, label) for doc in docs for s in doc.sentences for c in s.claims
                for label in c.labels}

    def check_precision(
        self, sets: dict[str, Sequence[dict[str, Any]]], runtimes: Sequence[str] | None = None
    ) -> dict[str, dict[str, float]]:
        """Measure, on each named set of gold documents, the share of claims each faster
        runtime leaves identical to fp32's (:func:`claim_agreement`), and record it in the
        metadata (``runtime_agreement``: runtime -> set -> share, saved with the model;
        bf16's also as ``bf16_agreement``), where ``precision="auto"`` reads it.

        ``runtimes``: default every one of :data:`AUTO_ORDER` this machine can run (bf16 needs
        native bf16; ONNX needs ONNX Runtime); others keep what was recorded before.
        """
        runtimes = [r for r in (runtimes or AUTO_ORDER) if runtime_usable(r)]
        agreement = recorded_agreement(self.metadata)
        if not runtimes:
            return agreement
        current = self.precision
        try:
            reference = {name: self.set_precision("fp32").gold_claims(docs) for name, docs in sets.items()}
            for runtime in runtimes:
                self.set_precision(runtime)
                agreement[runtime] = {name: round(claim_agreement(reference[name], self.gold_claims(docs)), 4)
                                      for name, docs in sets.items()}
        finally:
            self.set_precision(current)
        self.metadata["runtime_agreement"] = agreement
        if "bf16" in agreement:
            self.metadata["bf16_agreement"] = agreement["bf16"]
        return agreement

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    # -- scoring ---------------------------------------------------------------------
    @torch.inference_mode()
    def logits(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Return the network's raw logits for an encoded batch, at the labeler's precision."""
        with self._autocast():
            return self.net(**batch).float()

    @torch.inference_mode()
    def score_pairs(self, pairs: Sequence[Pair | tuple], batch_size: int = 128) -> torch.Tensor:
        """Return calibrated probabilities, shape (len(pairs), n_labels), in input order.

        Pairs are sorted by length inside the call so that padding stays small (in the
        ``shared`` design, the pairs of one sentence stay together and share its pass).
        """
        if not pairs:
            return torch.zeros((0, len(self.schema)))
        pairs = as_pairs(pairs)
        order = sorted(range(len(pairs)), key=self._length_key(pairs))
        out = torch.empty((len(pairs), len(self.schema)))
        for idx, batch in self._batches(pairs, order, batch_size):
            logits = self.logits(batch) / self.temperature
            out[idx] = label_probs(logits, self.config.multi_label)
        if self.precision in RECHECK_MARGINS:
            self._recheck_in_fp32(pairs, out, batch_size)
        return out

    def _recheck_in_fp32(self, pairs: Sequence[Pair], probs: torch.Tensor, batch_size: int) -> None:
        """Score again in fp32 the pairs whose bf16 or int8 scores lie within the runtime's
        :data:`RECHECK_MARGINS` of a decision (a label's threshold or, in a single-label schema,
        the runner-up), so that they decide like fp32 (bf16 scores move by less than 0.01 on
        this task's data).
        """
        thresholds = torch.tensor([self.thresholds.get(n, 0.5) for n in self.schema.names])
        margin = RECHECK_MARGINS[self.precision]
        near = ((probs - thresholds).abs() < margin).any(dim=1)
        if not self.config.multi_label and probs.shape[1] > 1:
            top2 = probs.topk(2, dim=1).values
            near |= (top2[:, 0] - top2[:, 1]) < margin
        redo = near.nonzero().flatten().tolist()
        if not redo:
            return
        redo.sort(key=self._length_key(pairs))
        for idx, batch in self._batches(pairs, redo, batch_size):
            logits = self._recheck_net(**batch).float() / self.temperature
            probs[idx] = label_probs(logits, self.config.multi_label)

    def _batches(self, pairs: Sequence[Pair], order: list[int], batch_size: int) -> Iterator[tuple[list[int], dict]]:
        """Encode ``pairs`` in ``order``, ``batch_size`` at a time, cutting a batch whose
        input holds more than :attr:`max_tokens` tokens (rows x padded length; default the
        runtime's :data:`MAX_TOKENS`) into as many equal parts as its size asks for, so that
        one pass of long sentences needs no more memory than one of short ones."""
        budget = self.max_tokens or MAX_TOKENS[self.precision]
        pending = [order[start : start + batch_size] for start in range(0, len(order), batch_size)][::-1]
        while pending:
            idx = pending.pop()
            batch = self.encoder([pairs[i] for i in idx])
            tokens = batch["input_ids"].numel()
            if len(idx) > 1 and tokens > budget:
                parts = min(len(idx), -(-tokens // budget))  # a part may still exceed it: cut again
                size = -(-len(idx) // parts)
                pending += [idx[start : start + size] for start in range(0, len(idx), size)][::-1]
                continue
            yield idx, batch

    def _length_key(self, pairs: Sequence[Pair]) -> Any:
        if self.config.design == "shared":
            return lambda i: (len(pairs[i].text), pairs[i].text)
        return lambda i: len(pairs[i].actor) + len(pairs[i].text)

    def _claims(self, candidates: list[Candidate], probs: torch.Tensor) -> list[Claim]:
        claims = []
        names = self.schema.names
        for cand, row in zip(candidates, probs.tolist()):
            scores = dict(zip(names, row))
            if self.config.multi_label:
                labels = [n for n in names if scores[n] >= self.thresholds.get(n, 0.5)]
            else:
                best = max(names, key=scores.__getitem__)
                labels = [best] if scores[best] >= self.thresholds.get(best, 0.5) else []
            if labels:
                claims.append(Claim(cand.actor, labels, scores, cand.mention, cand.kind))
        return claims

    # -- documents -------------------------------------------------------------------
    def prepare(self, text: str, spans: Sequence[SentenceSpan], targets: Targets = None) -> DocumentPairs:
        """Return a document's candidates (found, or the given ``targets``) and the pairs to
        score, as :func:`stance.pairs.sentence_pairs` builds them."""
        return sentence_pairs(self.finder, self.encoder, text, spans, targets)

    def _assemble(
        self, text: str, spans: Sequence[SentenceSpan], candidates: list[list[Candidate]], probs: torch.Tensor,
        truncated: set[int], doc_id: str | None, meta: dict[str, Any] | None,
    ) -> Doc:
        sentences = []
        offset = 0
        for i, (span, cands) in enumerate(zip(spans, candidates)):
            rows = probs[offset : offset + len(cands)]
            offset += len(cands)
            claims = self._claims(cands, rows)
            sentences.append(Sentence(span.text, span.start, span.end, i, claims, cands, i in truncated))
        return Doc(text, sentences, doc_id, dict(meta or {}))

    def __call__(self, text: str, doc_id: str | None = None, meta: dict[str, Any] | None = None) -> Doc:
        """Return ``text`` labelled: its sentences, each with the claims found in it."""
        return next(self.pipe([text], doc_ids=[doc_id], metas=[meta]))

    def label_sentences(
        self,
        sentences: Sequence[str],
        doc_id: str | None = None,
        meta: dict[str, Any] | None = None,
        targets: Sequence[Sequence[str | dict] | None] | None = None,
    ) -> Doc:
        """Return a document labelled on given sentence boundaries (gold evaluation).

        The sentences are joined with newlines, so each keeps its own offsets. With
        ``targets`` (one entry per sentence), the given actors are scored instead of the
        candidates the finder would propose: an entry is a list of actor names (no
        mention in the sentence) or ``{"actor", "mentions", "start"}`` dicts (the mention
        is marked as a found one is), or None to use the finder for that sentence.

        >>> doc = labeler.label_sentences(["Critics blamed Trump."],          # doctest: +SKIP
        ...     targets=[[{"actor": "Donald Trump", "mentions": "Trump"}]])
        """
        return next(self.pipe_sentences([sentences], doc_ids=[doc_id], metas=[meta],
                                        targets=[targets] if targets is not None else None))

    def pipe(
        self,
        texts: Iterable[str],
        batch_size: int = 128,
        doc_ids: Iterable[str | None] | None = None,
        metas: Iterable[dict[str, Any] | None] | None = None,
    ) -> Iterator[Doc]:
        """Yield one labelled :class:`Doc` per text, batching pairs across documents."""
        texts = iter(texts)
        items = ((t, split_sentences(t), None) for t in texts)
        yield from self._pipe(items, batch_size, doc_ids, metas)

    def pipe_sentences(
        self,
        documents: Iterable[Sequence[str]],
        batch_size: int = 128,
        doc_ids: Iterable[str | None] | None = None,
        metas: Iterable[dict[str, Any] | None] | None = None,
        targets: Iterable[Sequence[Sequence[str | dict] | None] | None] | None = None,
    ) -> Iterator[Doc]:
        """Like :meth:`pipe`, for documents given as lists of sentences.

        ``targets`` gives, per document, the per-sentence targets of :meth:`label_sentences`.
        """
        target_iter = iter(targets) if targets is not None else None
        items = (
            (*spans_from_sentences(list(sentences)), next(target_iter, None) if target_iter else None)
            for sentences in documents
        )
        yield from self._pipe(items, batch_size, doc_ids, metas)

    def _pipe(
        self,
        items: Iterator[tuple[str, list[SentenceSpan], Any]],
        batch_size: int,
        doc_ids: Iterable[str | None] | None,
        metas: Iterable[dict[str, Any] | None] | None,
    ) -> Iterator[Doc]:
        ids = iter(doc_ids) if doc_ids is not None else None
        meta_iter = iter(metas) if metas is not None else None
        # gather documents until they hold `sort_window` batches of pairs, then score them
        # together, sorted by length (a bounded window: memory stays flat on any corpus)
        while True:
            chunk = []
            n_pairs = 0
            for text, spans, targets in items:
                prepared = self.prepare(text, spans, targets)
                chunk.append((text, spans, prepared))
                n_pairs += len(prepared.pairs)
                if n_pairs >= self.sort_window * batch_size:
                    break
            if not chunk:
                return
            all_pairs = [p for _, _, prepared in chunk for p in prepared.pairs]
            probs = self.score_pairs(all_pairs, batch_size)
            offset = 0
            for text, spans, prepared in chunk:
                doc_probs = probs[offset : offset + len(prepared.pairs)]
                offset += len(prepared.pairs)
                doc_id = next(ids, None) if ids else None
                meta = next(meta_iter, None) if meta_iter else None
                yield self._assemble(text, spans, prepared.candidates, doc_probs, prepared.truncated, doc_id, meta)

    # -- persistence -----------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the labeler to the folder ``path`` and return it."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        write_json(path / "config.json", self.config.to_dict())
        save_file(self._weights, str(path / "weights.safetensors"))
        write_shared_files(path, self.schema, self.registry, self.thresholds, self.temperature, self.metadata)
        if self.training_config is not None:
            self.training_config.to_file(path / TRAINING_CONFIG_FILE)
        return path

    @classmethod
    def load(
        cls, path: str | os.PathLike[str] = DEFAULT_MODEL, base: str | os.PathLike[str] | None = None,
        precision: str = "auto",
    ) -> Labeler:
        """Rebuild a saved labeler from its folder; ``base`` overrides the encoder's location.

        For a folder of either kind (one model or an ensemble) use :func:`stance.load`.
        """
        quiet_transformers()
        files = read_model_folder(path)
        base_dir = resolve_base(base or files.config.base_model)
        tokenizer = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
        net = StanceNet.build(files.config, base_dir)
        net.load_trainable_state(files.weights)
        labeler = cls(net, tokenizer, files.schema, files.registry, files.thresholds, files.temperature, files.metadata,
                      precision=precision)
        labeler.training_config = files.training_config
        return labeler


@dataclass
class ModelFiles:
    """What a single model's folder holds, read and checked (:func:`read_model_folder`)."""

    path: Path
    config: ModelConfig
    weights: dict[str, torch.Tensor]
    schema: LabelSchema
    registry: ActorRegistry
    thresholds: dict[str, float]
    temperature: float
    metadata: dict[str, Any]
    training_config: TrainingConfig | None


def read_model_folder(path: str | os.PathLike[str]) -> ModelFiles:
    """Return the parts of a saved single model's folder, checked.

    Raises:
        StanceError: E030 a missing file (or an ensemble folder), E032 a format version
            this library does not read, E036 a ``thresholds.json`` without its fields.
    """
    path = Path(path)
    if (path / ENSEMBLE_FILE).is_file():
        raise StanceError("E030", path=path, missing="config.json (this is an ensemble: load it with stance.load)")
    missing = [f for f in _FILES if not (path / f).is_file()]
    if missing:
        raise StanceError("E030", path=path, missing=", ".join(missing))
    config = ModelConfig.from_dict(read_json(path / "config.json"), path / "config.json")
    thresholds, temperature = read_thresholds(path / "thresholds.json")
    meta_path = path / "training.json"
    recipe_path = path / TRAINING_CONFIG_FILE
    return ModelFiles(path, config, load_file(str(path / "weights.safetensors")),
                      LabelSchema.from_disk(path / "labels.json"), ActorRegistry.from_disk(path / "actors.jsonl"),
                      thresholds, temperature, read_json(meta_path) if meta_path.is_file() else {},
                      TrainingConfig.from_file(recipe_path) if recipe_path.is_file() else None)


def read_thresholds(path: Path) -> tuple[dict[str, float], float]:
    """Return (per-label thresholds, temperature) from a model's ``thresholds.json``."""
    data = read_json(path)
    thresholds = data.get("thresholds") if isinstance(data, dict) else None
    if not isinstance(thresholds, dict) or not all(isinstance(v, (int, float)) for v in thresholds.values()):
        raise StanceError("E036", path=path, field="thresholds", reason="must be an object of label: number")
    temperature = data.get("temperature", 1.0)
    if not isinstance(temperature, (int, float)) or temperature <= 0:
        raise StanceError("E036", path=path, field="temperature", reason="must be a positive number")
    return {k: float(v) for k, v in thresholds.items()}, float(temperature)


def write_shared_files(
    path: Path, schema: LabelSchema, registry: ActorRegistry, thresholds: dict[str, float], temperature: float,
    metadata: dict[str, Any],
) -> None:
    """Write the files every model folder has, single or ensemble: schema, registry,
    thresholds, ``training.json`` and (when there is one) the per-epoch training log."""
    schema.to_disk(path / "labels.json")
    registry.to_disk(path / "actors.jsonl")
    write_json(path / "thresholds.json", {"thresholds": thresholds, "temperature": temperature})
    write_json(path / "training.json", metadata)
    if metadata.get("history"):  # the per-epoch training log, one JSON object a line
        with (path / "training_log.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in metadata["history"])
