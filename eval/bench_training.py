"""What each lever makes a training step cost: seconds per epoch, against the shipped recipe.

Training the shipped model is forward + backward passes over the training pairs, once per
epoch. This script builds the training pairs of a recipe (``training/config.json`` by
default) once per variant and times ``--batches`` training steps on the same documents,
then prints, per variant, the pairs and encoder tokens of an epoch, seconds per batch,
the projected epoch time and its ratio to the first variant (the recipe as it is), all in
one process on one machine. Only cost is measured here: what a lever does to quality is
measured by training with it (``python training/build_default.py --config ...`` or
``eval/learning_curve.py``) and reading dev.

    python eval/bench_training.py [--config training/config.json] [--batches 40] [--json]
        [--variant NAME=JSON ...]

A variant is a name and the recipe fields it changes, e.g.
``--variant 'ctx20={"model": {"context_words": 20}}'``; without ``--variant`` the built-in
levers run: shorter context, a shorter window, frozen lower layers, larger batches,
fp32 steps, and the candidate sources of issue 15.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.actors import EXTRA_SOURCES, CandidateFinder  # noqa: E402
from stance.config import TrainingConfig  # noqa: E402
from stance.data import read_documents  # noqa: E402
from stance.model import ModelConfig, PairEncoder, StanceNet, cpu_has_bf16, resolve_base, stance_loss  # noqa: E402
from stance.pairs import gold_pairs  # noqa: E402
from stance.registry import ActorRegistry  # noqa: E402
from stance.runtimes import cpu_kind  # noqa: E402
from stance.schema import LabelSchema  # noqa: E402
from stance.training import _batches  # noqa: E402

LEVERS: dict[str, dict[str, Any]] = {
    "recipe": {},
    "context 20 words": {"model": {"context_words": 20}},
    "no context": {"model": {"context_words": 0}},
    "window 128": {"model": {"max_length": 128}},
    "frozen 2 layers": {"model": {"frozen_layers": 2}},
    "frozen 3 layers": {"model": {"frozen_layers": 3}},
    "batch 32": {"batch_size": 32},
    "fp32 steps": {"model": {"train_bf16": False}},
    "all sources": {"model": {"candidate_sources": list(EXTRA_SOURCES), "mark_source": True}},
}


def time_variant(config: TrainingConfig, documents: list[dict], n_batches: int) -> dict[str, Any]:
    """Build the variant's pairs and network, then time ``n_batches`` training steps."""
    torch.manual_seed(config.seed)
    schema = LabelSchema.from_disk(ROOT / config.schema)
    registry = ActorRegistry.from_disk(ROOT / config.registry)
    model_config = ModelConfig(**config.model, n_labels=len(schema), multi_label=schema.multi_label)
    base_dir = resolve_base(config.base or model_config.base_model)
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
    net = StanceNet.build(model_config, base_dir)
    encoder = PairEncoder(tokenizer, model_config)
    pairs = gold_pairs(documents, CandidateFinder(registry, model_config.candidate_sources), encoder, schema)
    batches = _batches(pairs, config.batch_size, random.Random(config.seed), by_text=model_config.design == "shared")
    texts = list(dict.fromkeys(p.text for p in pairs.texts))
    tokens = sum(len(ids) for ids in tokenizer(texts, truncation=True, max_length=model_config.max_length)["input_ids"])
    targets = torch.tensor(pairs.targets)
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr)
    sample = random.Random(0).sample(batches, min(n_batches + 3, len(batches)))
    use_bf16 = model_config.train_bf16 and cpu_has_bf16()  # as training decides
    net.train()
    elapsed = 0.0
    for k, batch in enumerate(sample):
        started = time.perf_counter()
        inputs = encoder([pairs.texts[i] for i in batch])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
            logits = net(**inputs).float()
        loss = stance_loss(logits, targets[batch], schema.multi_label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if k >= 3:  # the first steps warm up the allocator and kernels
            elapsed += time.perf_counter() - started
    per_batch = elapsed / max(1, len(sample) - 3)
    return {"pairs": len(pairs.texts), "texts": len(texts), "tokens": tokens, "batches": len(batches),
            "seconds_per_batch": per_batch, "epoch_seconds": per_batch * len(batches),
            "trainable_parameters": sum(p.numel() for p in params)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "training" / "config.json"))
    parser.add_argument("--batches", type=int, default=40, help="timed training steps per variant")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=JSON",
                        help="a variant: its name and the recipe fields it changes (repeatable)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    base = TrainingConfig.from_file(args.config)
    variants = {"recipe": {}}
    for item in args.variant:
        name, _, fields = item.partition("=")
        variants[name] = json.loads(fields)
    if not args.variant:
        variants = LEVERS
    schema = LabelSchema.from_disk(ROOT / base.schema)
    documents = [d for p in base.train for d in read_documents(ROOT / p, schema)]
    rows = []
    for name, change in variants.items():
        model = {**base.model, **change.get("model", {})}
        config = base.replace(**{**change, "model": model})
        row = {"variant": name, **time_variant(config, documents, args.batches)}
        rows.append(row)
        print(f"{name}: {row['epoch_seconds']:.0f} s/epoch", file=sys.stderr)
    first = rows[0]["epoch_seconds"]
    header = {"cpu_flags": cpu_kind(), "threads": torch.get_num_threads(), "documents": len(documents),
              "timed_batches": args.batches}
    if args.json:
        print(json.dumps({**header, "variants": rows}, indent=2))
        return
    print(f"CPU flags: {header['cpu_flags']}; {header['threads']} threads; {len(documents)} training documents; "
          f"{args.batches} timed steps per variant")
    print(f"{'variant':<18} {'pairs':>7} {'texts':>7} {'tokens':>9} {'s/batch':>8} {'s/epoch':>8} {'ratio':>6}")
    for row in rows:
        print(f"{row['variant']:<18} {row['pairs']:>7} {row['texts']:>7} {row['tokens']:>9} "
              f"{row['seconds_per_batch']:>8.3f} {row['epoch_seconds']:>8.0f} {row['epoch_seconds'] / first:>6.2f}")


if __name__ == "__main__":
    main()
