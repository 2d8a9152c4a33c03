"""The objects a labelled document is made of: Doc -> Sentence -> Claim -> Mention."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Candidate", "Claim", "Doc", "Mention", "Sentence"]


@dataclass(frozen=True)
class Mention:
    """A surface string that refers to an actor, as ``doc.text[start:end]``."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Candidate:
    """A possible stance holder in one sentence, before the model has scored it.

    ``source`` says how it was found: ``registry``, ``generic``, ``name`` (an
    unregistered name), ``pronoun``, ``description`` or ``gold`` (training only).
    """

    actor: str
    kind: str
    mention: Mention | None
    source: str


@dataclass
class Claim:
    """An actor holding one or more stance labels in a sentence.

    ``scores`` has one probability per schema label, labels above threshold or not.
    """

    actor: str
    labels: list[str]
    scores: dict[str, float]
    mention: Mention | None = None
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the claim in the annotation guide's shape, plus scores and span."""
        return {
            "actor": self.actor,
            "mentions": self.mention.text if self.mention else None,
            "labels": list(self.labels),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "mention_span": [self.mention.start, self.mention.end] if self.mention else None,
            "kind": self.kind,
        }


# the fields of a per-sentence record (Sentence.to_dict) that belong to the sentence; every other
# field of a record describes its document (doc_id and the input's pass-through fields)
SENTENCE_FIELDS = ("index", "text", "start", "end", "truncated", "claims")


@dataclass
class Sentence:
    """A sentence of a document, ``doc.text[start:end]``, with its claims.

    ``truncated`` is True when the sentence was longer than the model's input window, so
    its claims were scored on a window of words around each mention.
    """

    text: str
    start: int
    end: int
    index: int
    claims: list[Claim] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    # True when the sentence was longer than the model's window and the model saw a part of it
    truncated: bool = False

    @property
    def labels(self) -> set[str]:
        """Return the union of the labels of the sentence's claims."""
        return {label for claim in self.claims for label in claim.labels}

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "truncated": self.truncated,
            "claims": [claim.to_dict() for claim in self.claims],
        }


@dataclass
class Doc:
    """A labelled document: its text, sentences and metadata passed through from input."""

    text: str
    sentences: list[Sentence]
    doc_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def claims(self) -> list[Claim]:
        """Return every claim of the document in sentence order."""
        return [claim for sentence in self.sentences for claim in sentence.claims]

    def to_dict(self) -> dict[str, Any]:
        """Return the document in the annotation guide's JSONL shape (with scores and offsets)."""
        return {
            "doc_id": self.doc_id,
            **self.meta,
            "sentences": [sentence.to_dict() for sentence in self.sentences],
        }

    def to_records(self) -> list[dict[str, Any]]:
        """Return one flat record per sentence, each carrying the document id and offsets."""
        return [{"doc_id": self.doc_id, **self.meta, **sentence.to_dict()} for sentence in self.sentences]

    def __repr__(self) -> str:
        return f"Doc(doc_id={self.doc_id!r}, sentences={len(self.sentences)}, claims={len(self.claims)})"
