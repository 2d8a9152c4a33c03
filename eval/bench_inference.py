"""Which inference runtime should `stance label` use? Speed and claim agreement, measured.

For each runtime -- torch fp32, torch bfloat16 autocast, torch dynamic int8, and ONNX
Runtime fp32 / dynamic int8 when ``onnxruntime`` is installed -- this script

* labels the seed article and the dev set (gold sentence boundaries, as ``stance eval``
  does) and counts how many (document, sentence, actor, label) claims are identical to
  fp32's: agreement = |both| / |either|;
* times the forward passes on the (sentence, candidate) pairs of those documents, length
  sorted, at batch sizes 16/32/64/128, and prints the best pairs per second.

The bar is 99% on both sets. ``precision="auto"`` (``Labeler.set_precision``) uses bf16
only where the CPU has it natively and the model's own recorded check
(``Labeler.check_precision``, run when a model is built with dev data) met the bar.

    python eval/bench_inference.py [--json] [--threads 2] [--model DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from stance.data import read_documents  # noqa: E402
from stance.labeler import AGREEMENT_BAR, claim_agreement  # noqa: E402
from stance.sentences import spans_from_sentences  # noqa: E402

SETS = {"seed": [ROOT / "seeds" / "seed-001.jsonl"],  # dev: the shipped model's dev files (training/config.json)
        "dev": [ROOT / "training" / "data" / "allsides_dev.jsonl", ROOT / "training" / "data" / "allsides_dev.N.jsonl"]}
BATCH_SIZES = (16, 32, 64, 128)


class OnnxNet:
    """The merged fp32 network exported to ONNX, run by ONNX Runtime, called like StanceNet."""

    def __init__(self, net: torch.nn.Module, encoder, sample_pairs: list, quantize: bool, folder: Path) -> None:
        import inspect

        import onnxruntime as ort

        sample = encoder(sample_pairs)
        # the forward's inputs in its own order (they differ between the pair and shared designs)
        names = [n for n in inspect.signature(net.forward).parameters if n in sample]
        path = folder / "net.onnx"
        torch.onnx.export(
            net, tuple(sample[n] for n in names), str(path), input_names=names, output_names=["logits"],
            dynamic_axes={**{n: {d: f"{n}_{d}" for d in range(sample[n].dim())} for n in names}, "logits": {0: "pairs"}},
            dynamo=False,
        )
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            qpath = folder / "net.int8.onnx"
            quantize_dynamic(str(path), str(qpath), weight_type=QuantType.QInt8, per_channel=True)
            path = qpath
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.names = names
        self.config = net.config

    def __call__(self, **batch):
        feed = {n: batch[n].numpy() for n in self.names}
        return torch.from_numpy(self.session.run(["logits"], feed)[0])


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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    labeler = stance.load(args.model, precision="fp32")
    sets = {name: [d for p in paths for d in read_documents(p, labeler.schema)] for name, paths in SETS.items()}
    pairs = []
    for documents in sets.values():
        for d in documents:
            text, spans = spans_from_sentences([s["text"] for s in d["sentences"]])
            pairs.extend(labeler.prepare(text, spans).pairs)
    reference = {name: labeler.gold_claims(docs) for name, docs in sets.items()}

    runtimes = ["fp32", "int8"] + (["bf16"] if stance.model.cpu_has_bf16() else [])
    try:
        import onnxruntime  # noqa: F401

        runtimes += ["onnx-fp32", "onnx-int8"]
    except ImportError:
        print("onnxruntime is not installed: ONNX Runtime rows skipped (pip install onnxruntime onnx)", file=sys.stderr)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in runtimes:
            if name.startswith("onnx"):
                labeler.set_precision("fp32")
                labeler.net = OnnxNet(labeler._fp32_net, labeler.encoder, pairs[:4], name.endswith("int8"), Path(tmp))
            else:
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
    result = {"n_pairs": len(pairs), "threads": args.threads, "rows": rows, "fastest_equal": chosen,
              "auto": stance.labeler.resolve_precision("auto", labeler.metadata.get("bf16_agreement"))}
    if args.json:
        print(json.dumps(result))
        return
    print(f"{len(pairs)} pairs from the seed and dev sets, {args.threads} threads")
    print(f"{'runtime':<11}{'pairs/s':>9}{'batch':>7}{'x fp32':>8}{'agree seed':>12}{'agree dev':>11}")
    for r in rows:
        print(f"{r['runtime']:<11}{r['pairs_per_s']:>9.1f}{r['batch_size']:>7}{r['speedup']:>8.2f}"
              f"{r['agreement_seed']:>12.4f}{r['agreement_dev']:>11.4f}")
    print(f"fastest with >= 99% identical claims: {chosen}; precision='auto' picks {result['auto']} on this CPU")


if __name__ == "__main__":
    main()
