"""The shipped model's folder, and its label schema and actor registry: what every command
falls back to when no model, schema or registry is given."""

from __future__ import annotations

from pathlib import Path

from .registry import ActorRegistry
from .schema import LabelSchema

__all__ = ["DEFAULT_MODEL", "default_registry", "default_schema"]

DEFAULT_MODEL = Path(__file__).parent / "models" / "default"


def default_schema() -> LabelSchema:
    """Return the shipped model's label schema (as in ``seeds/labels.json``)."""
    return LabelSchema.from_disk(DEFAULT_MODEL / "labels.json")


def default_registry() -> ActorRegistry:
    """Return the shipped model's actor registry (as in ``seeds/actors.jsonl``)."""
    return ActorRegistry.from_disk(DEFAULT_MODEL / "actors.jsonl")
