"""Rebuild the model shipped with the package from training/config.json.

    python training/build_default.py            # writes stance/models/default

Seeded and deterministic on CPU for a given thread count (config "threads"). It also
records the new model's predictions on the seed article, which a test checks the
shipped model still reproduces. Reference files of the real-news corpus are resolved
against ../shared/corpora/allsides_latam (or $STANCE_CORPUS).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def record_seed_predictions(model_dir: Path, path: Path) -> None:
    """Write the model's predictions on the seed article, which tests check it reproduces."""
    import stance

    seed_text = (ROOT / "seeds" / "seed-001.txt").read_text(encoding="utf-8")
    # fp32, as the test that checks them: bf16 scores move by up to about 0.005 with batching
    doc = stance.load(model_dir, precision="fp32")(seed_text, doc_id="seed-001")
    path.write_text(json.dumps(doc.to_records(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def precision_sets(dev: list[dict] | None) -> dict[str, list[dict]]:
    """The gold sets on which bf16 must give fp32's claims for ``precision="auto"`` to use it."""
    import stance

    sets = {"seed": stance.read_documents(ROOT / "seeds" / "seed-001.jsonl")}
    if dev:
        sets["dev"] = dev
    return sets


def record_checks(model_dir: Path, dev_files: list[Path]) -> None:
    """Re-measure a built model's bf16 agreement (as a build does) into its training.json."""
    import stance
    from stance.model import write_json

    labeler = stance.load(model_dir, precision="fp32")
    dev = [d for p in dev_files for d in stance.read_documents(p, labeler.schema)]
    labeler.check_precision(precision_sets(dev))  # updates labeler.metadata
    write_json(model_dir / "training.json", labeler.metadata)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(ROOT / "training" / "config.json"), help="training config JSON")
    parser.add_argument("--out", help="model folder (default: the config's 'out')")
    parser.add_argument("--record-only", action="store_true",
                        help="only re-record the shipped model's bf16 check and seed predictions (no training)")
    args = parser.parse_args(argv)
    config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    torch.set_num_threads(int(config.get("threads", 2)))
    if args.record_only:
        record_checks(ROOT / config["out"], [ROOT / p for p in config.get("dev", [])])
        record_seed_predictions(ROOT / config["out"], ROOT / config["seed_predictions"])
        return 0

    import stance
    from stance.corpus import corpus_available

    if not corpus_available():
        print("the real-news corpus is absent (../shared/corpora/allsides_latam or $STANCE_CORPUS): cannot rebuild", file=sys.stderr)
        return 2
    schema = stance.LabelSchema.from_disk(ROOT / config["schema"])
    registry = stance.ActorRegistry.from_disk(ROOT / config["registry"])
    train_files = [ROOT / p for p in config["train"]]
    dev_files = [ROOT / p for p in config.get("dev", [])]
    documents = [d for p in train_files for d in stance.read_documents(p, schema)]
    dev = [d for p in dev_files for d in stance.read_documents(p, schema)] or None
    labeler = stance.train(
        documents,
        schema=schema,
        registry=registry,
        dev_documents=dev,
        base=config["base"],
        epochs=config["epochs"],
        lr=config["lr"],
        batch_size=config["batch_size"],
        seed=config["seed"],
        patience=config.get("patience"),
        design=config.get("design", "pair"),
        data_files=[str(p.relative_to(ROOT)) for p in train_files + dev_files],
        progress=True,
    )
    labeler.metadata["data_files"] = {
        str(p.relative_to(ROOT)): stance.data.file_sha256(p) for p in train_files + dev_files
    }
    labeler.metadata["threads"] = torch.get_num_threads()
    labeler.check_precision(precision_sets(dev))
    out = Path(args.out) if args.out else ROOT / config["out"]
    labeler.save(out)
    if config.get("seed_predictions") and out.resolve() == (ROOT / config["out"]).resolve():
        record_seed_predictions(out, ROOT / config["seed_predictions"])
    dev_metrics = labeler.metadata.get("dev_metrics") or {}
    print(json.dumps({"out": str(out), "train_seconds": labeler.metadata["train_seconds"],
                      "best_epoch": labeler.metadata["best_epoch"],
                      "dev_sentence_macro_f1": dev_metrics.get("sentence_macro_f1"),
                      "dev_claim_micro_f1": dev_metrics.get("claim_micro_f1")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
