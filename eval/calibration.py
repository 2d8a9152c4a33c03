"""Calibration of the model's claim scores on the real-news test set.

    python eval/calibration.py [--model DIR] [--test FILE] [--bins 10] [--png reliability.png] [--json]

Every (sentence, candidate, label) triple of the test set is one prediction: its score
is the model's probability (after the temperature fitted on dev, which the model folder
stores), its outcome whether the gold claim of that actor carries the label. Prints the
expected calibration error (equal-width bins, weighted by count) with and without the
temperature, and the reliability table; with --png and matplotlib installed, also the
reliability diagram.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from eval.evalsets import TEST_PATHS  # noqa: E402
from stance.calibration import pair_scores, reliability  # noqa: E402
from stance.corpus import corpus_available  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("--test", action="append", help="gold test file (repeatable; default: the test set, both parts)")
    parser.add_argument("--bins", type=int, default=10)
    parser.add_argument("--png", help="write the reliability diagram here (needs matplotlib)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (corpus_available("allsides_latam") and corpus_available("allsides_more")):
        print("skipped: a real-news corpus is absent (../shared/corpora/allsides_latam, allsides_more, or $STANCE_CORPORA)")
        return 0
    torch.set_num_threads(2)
    labeler = stance.load(args.model)
    docs = [d for path in args.test or TEST_PATHS for d in stance.read_documents(path, labeler.schema)]
    scaled, outcomes = pair_scores(labeler, docs)
    raw, _ = pair_scores(labeler, docs, temperature=1.0)
    temperature = labeler.temperature
    ece_raw, _ = reliability(raw, outcomes, args.bins)
    ece, rows = reliability(scaled, outcomes, args.bins)
    result = {"n_predictions": len(outcomes), "temperature": temperature, "ece": ece, "ece_without_temperature": ece_raw,
              "bins": rows}
    if args.png:
        from stance.report import reliability_figure

        fig = reliability_figure(rows, ece)
        fig.axes[0].set_title("Reliability on the real-news test set")
        fig.savefig(args.png, dpi=120)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['n_predictions']} (pair, label) predictions; temperature {temperature:.3f}")
    print(f"ECE {ece:.4f} with temperature, {ece_raw:.4f} without")
    print(f"{'bin':<10}{'n':>7}{'confidence':>12}{'accuracy':>10}")
    for r in rows:
        print(f"{r['bin']:<10}{r['n']:>7}{r['confidence']:>12.3f}{r['accuracy']:>10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
