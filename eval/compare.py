"""Models side by side on dev and test: coverage, claim P/R/F1 and sentence macro-F1, with intervals.

    python eval/compare.py --model stance/models/default --model /path/to/other [--json]
    python eval/compare.py --model OLD=/tmp/old/stance/models/default --model NEW=stance/models/default

Each model labels the dev files of ``training/config.json`` and the test files (the enlarged
real-news test set: ``eval/data/allsides_test.jsonl`` + ``allsides_more_test.jsonl``), in fp32
(as the model card's figures), with its own registry and candidate finder, and the script
prints, per split: the share of gold (actor, label) pairs with a candidate
(``candidate_coverage``), claim micro precision, recall and F1, and sentence macro-F1, each with
its bootstrap 95% interval over sentences (1,000 resamples; coverage has none). A model given as
``NAME=DIR`` is shown under NAME. An earlier shipped model is a folder of an earlier commit
(``git worktree add /tmp/old <commit>``). Needs both real-news corpora (../shared/corpora or
$STANCE_CORPORA); skips with a message where they are absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from eval.evalsets import DEV, TEST  # noqa: E402
from stance.corpus import corpus_available  # noqa: E402

KEYS = ("claim_micro_p", "claim_micro_r", "claim_micro_f1", "sentence_macro_f1")


def splits() -> dict[str, list[str]]:
    return {"dev": DEV, "test": TEST}


def measure(labeler: stance.Labeler, files: list[str]) -> dict:
    documents = [d for f in files for d in stance.read_documents(ROOT / f, labeler.schema)]
    result = stance.evaluate(labeler, documents, n_bootstrap=1000)
    row = {"n_sentences": result["n_sentences"], "coverage": round(result["candidate_coverage"]["coverage"], 4),
           "candidates_per_sentence": round(result["candidate_coverage"]["candidates_per_sentence"], 2)}
    for key in KEYS:
        row[key] = round(result[key], 4)
        row[f"{key}_ci95"] = [round(x, 4) for x in result["ci95"][key]]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", required=True, metavar="[NAME=]DIR", help="a model folder (repeatable)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (corpus_available("allsides_latam") and corpus_available("allsides_more")):
        print("skipped: needs both real-news corpora (../shared/corpora/allsides_latam and allsides_more, or $STANCE_CORPORA)")
        return 0
    rows = []
    for item in args.model:
        name, _, folder = item.rpartition("=")
        labeler = stance.load(folder, precision="fp32")
        for split, files in splits().items():
            rows.append({"model": name or folder, "split": split, **measure(labeler, files)})
            print(f"measured {rows[-1]['model']} on {split}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'model':<28} {'split':<5} {'sents':>5} {'coverage':>8} {'cand/s':>6}  "
          + "  ".join(f"{k.replace('_micro', '').replace('sentence_', 'sent ').replace('_', ' '):<21}" for k in KEYS))
    for r in rows:
        cells = "  ".join(f"{r[k]:.3f} [{r[k + '_ci95'][0]:.3f}, {r[k + '_ci95'][1]:.3f}]" for k in KEYS)
        print(f"{r['model']:<28} {r['split']:<5} {r['n_sentences']:>5} {r['coverage']:>8.3f} "
              f"{r['candidates_per_sentence']:>6.2f}  {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
