"""Rebuild the model shipped with the package from training/config.json (a stance.TrainingConfig).

    python training/build_default.py            # writes stance/models/default

The config is the same file ``stance train --config training/config.json --out DIR`` reads;
this script adds what the shipped model needs besides training: the bf16 check on the seed
article as well as dev, and the recorded seed predictions that a test checks the shipped
model reproduces. Seeded and deterministic on CPU for a given thread count (config
"threads"). Paths in the config are relative to the repository root. Reference files of the
real-news corpus are resolved against ../shared/corpora (or $STANCE_CORPUS).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import stance
from stance.config import TrainingConfig
from stance.corpus import corpus_available
from stance.defaults import DEFAULT_MODEL
from stance.jsonl import write_json

ROOT = Path(__file__).resolve().parents[1]
SEED_PREDICTIONS = ROOT / "tests" / "data" / "default_seed_predictions.json"


def record_seed_predictions(model_dir: Path, path: Path) -> None:
    """Write the model's predictions on the seed article, which tests check it reproduces."""
    seed_text = (ROOT / "seeds" / "seed-001.txt").read_text(encoding="utf-8")
    # fp32, as the test that checks them: bf16 scores move by up to about 0.005 with batching
    doc = stance.load(model_dir, precision="fp32")(seed_text, doc_id="seed-001")
    path.write_text(json.dumps(doc.to_records(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def precision_sets(dev: list[dict] | None) -> dict[str, list[dict]]:
    """The gold sets on which bf16 must give fp32's claims for ``precision="auto"`` to use it."""
    sets = {"seed": stance.read_documents(ROOT / "seeds" / "seed-001.jsonl")}
    if dev:
        sets["dev"] = dev
    return sets


def record_checks(model_dir: Path, config: TrainingConfig) -> None:
    """Re-measure a built model's bf16 agreement (as a build does) into its training.json."""
    labeler = stance.load(model_dir, precision="fp32")
    labeler.check_precision(precision_sets(labeler_dev(config, labeler)))  # updates labeler.metadata
    write_json(model_dir / "training.json", labeler.metadata)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(ROOT / "training" / "config.json"), help="training config JSON")
    parser.add_argument("--out", default=str(DEFAULT_MODEL), help="model folder (default: the shipped model's)")
    parser.add_argument("--record-only", action="store_true",
                        help="only re-record the shipped model's bf16 check and seed predictions (no training)")
    args = parser.parse_args(argv)
    config = TrainingConfig.from_file(args.config)
    out = Path(args.out).resolve()
    os.chdir(ROOT)  # the config's paths are relative to the repository root
    shipped = out == DEFAULT_MODEL.resolve()
    if args.record_only:
        record_checks(out, config)
        record_seed_predictions(out, SEED_PREDICTIONS)
        return 0
    if not corpus_available():
        print("the real-news corpus is absent (../shared/corpora or $STANCE_CORPUS): cannot rebuild", file=sys.stderr)
        return 2
    labeler = stance.train(config=config, progress=True)
    labeler.check_precision(precision_sets(labeler_dev(config, labeler)))
    labeler.save(out)
    if shipped:
        record_seed_predictions(out, SEED_PREDICTIONS)
    dev_metrics = labeler.metadata.get("dev_metrics") or {}
    print(json.dumps({"out": str(out), "train_seconds": labeler.metadata["train_seconds"],
                      "best_epoch": labeler.metadata["best_epoch"],
                      "dev_sentence_macro_f1": dev_metrics.get("sentence_macro_f1"),
                      "dev_claim_micro_f1": dev_metrics.get("claim_micro_f1")}))
    return 0


def labeler_dev(config: TrainingConfig, labeler: stance.Labeler) -> list[dict]:
    """The config's dev documents, read against the trained model's schema."""
    return [d for p in config.dev for d in stance.read_documents(p, labeler.schema)]


if __name__ == "__main__":
    raise SystemExit(main())
