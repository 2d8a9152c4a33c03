"""Count the shipped model's errors on the real-news test set by type, with examples.

    python eval/error_types.py [--model DIR] [--test FILE] [--examples 3] [--json]

Every wrong (actor, label) pair of the test set is sorted into one type of
``stance.evaluation.ERROR_TYPES`` (actors matched through the registry, as `stance eval`
matches them); the table gives each type's count and the first examples as (article id,
sentence index, actor, label, score). The sentences are the test file's (its references
are joined with the corpus at run time); `--json` lists every error.
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
from stance.corpus import corpus_available  # noqa: E402
from stance.evaluation import ERROR_TYPES, error_types, predict  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("--test", action="append", help="gold test file (repeatable; default: the test set, both parts)")
    parser.add_argument("--examples", type=int, default=3, help="examples printed per type (default: 3)")
    parser.add_argument("--json", action="store_true", help="print every error as JSON")
    args = parser.parse_args(argv)
    if not (corpus_available("allsides_latam") and corpus_available("allsides_more")):
        print("skipped: a real-news corpus is absent (../shared/corpora/allsides_latam, allsides_more, or $STANCE_CORPORA)")
        return 0
    torch.set_num_threads(2)
    labeler = stance.load(args.model)
    docs = [d for path in args.test or TEST_PATHS for d in stance.read_documents(path, labeler.schema)]
    errors = error_types(docs, predict(labeler, docs), labeler.registry)
    if args.json:
        print(json.dumps(errors, indent=1, ensure_ascii=False))
        return 0
    print(f"{sum(len(v) for v in errors.values())} wrong (actor, label) pairs on {', '.join(str(p) for p in args.test or TEST_PATHS)}\n")
    print("| error | (actor, label) pairs | examples (article id, sentence: actor, label, score) |")
    print("|---|---:|---|")
    for key, description in sorted(ERROR_TYPES.items(), key=lambda kv: -len(errors[kv[0]])):
        shown = "; ".join(
            f"`{e['doc_id']}` {e['sentence']}: {e['actor']}, {e['label']}"
            + (f", {e['score']:.2f}" if e["score"] is not None else "")
            for e in errors[key][: args.examples]
        )
        print(f"| {description} | {len(errors[key])} | {shown} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
