"""The label schema: which stance labels exist and what each one means.

The schema is data (``labels.json``); nothing in the library hard-codes a label.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .errors import StanceError
from .jsonl import read_json, write_json

__all__ = ["Label", "LabelSchema"]


@dataclass(frozen=True)
class Label:
    """One stance label and its one-paragraph definition."""

    name: str
    definition: str = ""


@dataclass
class LabelSchema:
    """An ordered set of stance labels.

    ``multi_label`` is True when a claim may carry several labels (sigmoid scores);
    False for schemas whose labels exclude each other (softmax over the labels).

    >>> schema = LabelSchema([Label("a"), Label("b")])
    >>> schema.names
    ['a', 'b']
    """

    labels: list[Label]
    name: str = "stance"
    version: int = 1
    multi_label: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for label in self.labels:
            if label.name in seen:
                raise StanceError("E022", label=label.name)
            seen.add(label.name)

    @property
    def names(self) -> list[str]:
        """Return the label names in schema order."""
        return [label.name for label in self.labels]

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, name: object) -> bool:
        return any(label.name == name for label in self.labels)

    def index(self, name: str) -> int:
        """Return the position of label ``name``."""
        return self.names.index(name)

    def extended(self, names: list[str]) -> LabelSchema:
        """Return a schema with ``names`` appended where they are new (no definition)."""
        new = [Label(n) for n in names if n not in self]
        return LabelSchema(self.labels + new, self.name, self.version, self.multi_label, dict(self.extra))

    def to_dict(self) -> dict[str, Any]:
        """Return the schema as the JSON object stored in ``labels.json``."""
        return {
            **self.extra,
            "name": self.name,
            "version": self.version,
            "multi_label": self.multi_label,
            "labels": [{"name": label.name, "definition": label.definition} for label in self.labels],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | os.PathLike[str] = "<dict>") -> LabelSchema:
        """Build a schema from its JSON object, checking its shape."""
        labels = data.get("labels") if isinstance(data, dict) else None
        if not isinstance(labels, list) or not labels:
            raise StanceError("E020", path=path, reason="'labels' must be a non-empty list")
        parsed = []
        for i, item in enumerate(labels):
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
                raise StanceError("E020", path=path, reason=f"labels[{i}] needs a non-empty string 'name'")
            parsed.append(Label(item["name"], str(item.get("definition", ""))))
        extra = {k: v for k, v in data.items() if k not in {"labels", "name", "version", "multi_label"}}
        return cls(
            parsed,
            name=str(data.get("name", "stance")),
            version=int(data.get("version", 1)),
            multi_label=bool(data.get("multi_label", True)),
            extra=extra,
        )

    def to_disk(self, path: str | os.PathLike[str]) -> None:
        """Write the schema as JSON to ``path``."""
        write_json(path, self.to_dict())

    @classmethod
    def from_disk(cls, path: str | os.PathLike[str]) -> LabelSchema:
        """Read a schema from a JSON file."""
        return cls.from_dict(read_json(path), path)
