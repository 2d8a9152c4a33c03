"""Which inference runtime should `stance label` use? Speed and claim agreement, measured.

For each runtime of ``Labeler.set_precision`` -- torch fp32, torch bfloat16 autocast, torch
dynamic int8, and ONNX Runtime fp32 / int8 (``stance.runtimes``: exported once and cached)
-- this script

* labels the seed article and the dev set (gold sentence boundaries, as ``stance eval``
  does) and counts how many (document, sentence, actor, label) claims are identical to
  fp32's: agreement = |both| / |either|;
* times the forward passes on the (sentence, candidate) pairs of those documents, length
  sorted, at batch sizes 16/32/64/128, and prints the best pairs per second.

The bar is 99% on both sets. ``precision="auto"`` (``Labeler.set_precision``) takes the
fastest runtime this CPU runs natively whose own recorded check (``Labeler.check_precision``,
run when a model is built with dev data) met the bar. ``--no-bf16`` takes the paths of a CPU
without native bf16 (``STANCE_NO_BF16=1``).

    python eval/bench_inference.py [--json] [--threads 2] [--model DIR] [--no-bf16]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from stance.data import read_documents  # noqa: E402
from stance.labeler import (  # noqa: E402
    AGREEMENT_BAR,
    claim_agreement,
    recorded_agreement,
    resolve_precision,
    runtime_usable,
)
from stance.runtimes import cpu_kind  # noqa: E402
from stance.sentences import spans_from_sentences  # noqa: E402

# dev: the shipped model's dev files (training/config.json), as its recorded check reads them
SETS = {"seed": [ROOT / "seeds" / "seed-001.jsonl"],
        "dev": [ROOT / p for p in json.loads((ROOT / "training" / "config.json").read_text(encoding="utf-8"))["dev"]]}
BATCH_SIZES = (16, 32, 64, 128)


def pairs_per_second(labeler: stance.Labeler, pairs: list, batch_size: int) -> float:
    key = labeler._length_key(pairs)
    order = [pairs[i] for i in sorted(range(len(pairs)), key=key)]
    batches = [labeler.encoder(order[i : i + batch_size]) for i in range(0, len(order), batch_size)]
    labeler.logits(batches[0])  # warm-up
    start = time.perf_counter()
    for batch in batches:
        labeler.logits(batch)
    return len(pairs) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("--no-bf16", action="store_true", help="the paths of a CPU without native bf16")
    args = parser.parse_args()
    if args.no_bf16:
        os.environ["STANCE_NO_BF16"] = "1"
    torch.set_num_threads(args.threads)

    labeler = stance.load(args.model, precision="fp32")
    sets = {name: [d for p in paths for d in read_documents(p, labeler.schema)] for name, paths in SETS.items()}
    pairs = []
    for documents in sets.values():
        for d in documents:
            text, spans = spans_from_sentences([s["text"] for s in d["sentences"]])
            pairs.extend(labeler.prepare(text, spans).pairs)
    reference = {name: labeler.gold_claims(docs) for name, docs in sets.items()}

    runtimes = [r for r in ("fp32", "int8", "bf16", "onnx", "onnx-int8") if runtime_usable(r)]
    if not runtime_usable("onnx"):
        print("onnxruntime is not installed: ONNX Runtime rows skipped (pip install onnxruntime onnx)", file=sys.stderr)
    rows = []
    for name in runtimes:
        labeler.set_precision(name)
        agree = {k: claim_agreement(reference[k], labeler.gold_claims(docs)) for k, docs in sets.items()}
        speed = {b: pairs_per_second(labeler, pairs, b) for b in BATCH_SIZES}
        best = max(speed, key=speed.get)
        rows.append({"runtime": name, "pairs_per_s": round(speed[best], 1), "batch_size": best,
                     **{f"agreement_{k}": round(v, 4) for k, v in agree.items()}})
        print(f"measured {rows[-1]}", file=sys.stderr)
    labeler.set_precision("fp32")
    fp32 = rows[0]["pairs_per_s"]
    for row in rows:
        row["speedup"] = round(row["pairs_per_s"] / fp32, 2)
        row["equal_labels"] = all(row[f"agreement_{k}"] >= AGREEMENT_BAR for k in sets)
    eligible = [r for r in rows if r["equal_labels"]]
    chosen = max(eligible, key=lambda r: r["pairs_per_s"])["runtime"]
    result = {"n_pairs": len(pairs), "threads": args.threads, "cpu_flags": cpu_kind(), "rows": rows,
              "fastest_equal": chosen, "auto": resolve_precision("auto", recorded_agreement(labeler.metadata))}
    if args.json:
        print(json.dumps(result))
        return
    print(f"{len(pairs)} pairs from the seed and dev sets, {args.threads} threads, CPU flags {result['cpu_flags']}")
    print(f"{'runtime':<11}{'pairs/s':>9}{'batch':>7}{'x fp32':>8}{'agree seed':>12}{'agree dev':>11}")
    for r in rows:
        print(f"{r['runtime']:<11}{r['pairs_per_s']:>9.1f}{r['batch_size']:>7}{r['speedup']:>8.2f}"
              f"{r['agreement_seed']:>12.4f}{r['agreement_dev']:>11.4f}")
    print(f"fastest with >= 99% identical claims: {chosen}; precision='auto' picks {result['auto']} on this CPU")


if __name__ == "__main__":
    main()
