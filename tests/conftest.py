"""Shared fixtures: the shipped model and a tiny model trained on the seed, loaded once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
torch.set_num_threads(2)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (SEEDS / "seed-001.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_docs():
    import stance

    return stance.read_documents(SEEDS / "seed-001.jsonl")


@pytest.fixture(scope="session")
def registry():
    import stance

    return stance.ActorRegistry.from_disk(SEEDS / "actors.jsonl")


@pytest.fixture(scope="session")
def schema():
    import stance

    return stance.LabelSchema.from_disk(SEEDS / "labels.json")


@pytest.fixture(scope="session")
def shipped():
    """The shipped model in fp32, whose scores do not depend on batching (bf16 ones move
    by up to about 0.005); tests of the default bf16 path load their own."""
    import stance

    return stance.load(precision="fp32")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, seed_docs, schema, registry) -> Path:
    """A model trained for two epochs on the seed article, saved to disk."""
    import stance

    labeler = stance.train(seed_docs, schema=schema, registry=registry, epochs=2, seed=7)
    return labeler.save(tmp_path_factory.mktemp("models") / "tiny")
