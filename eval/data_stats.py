"""Counts of the annotated data: documents, sentences and claims per label, per file and source.

    python eval/data_stats.py [--json]

Reference files are resolved against the corpora they name (skipped with a message where one is absent).
The last rows total the real news per split (train, dev, test) and every label's real-news claims.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from stance.corpus import corpus_available  # noqa: E402

FILES = ["seeds/seed-001.jsonl", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "training" / "data").glob("*.jsonl")),
         "eval/data/allsides_test.jsonl", "eval/data/allsides_more_test.jsonl"]


def stats(path: Path) -> dict:
    docs = stance.read_documents(path)
    labels = Counter(label for d in docs for s in d["sentences"] for c in s.get("claims", []) for label in c["labels"])
    return {
        "documents": len(docs),
        "sentences": sum(len(d["sentences"]) for d in docs),
        "sentences_with_claims": sum(1 for d in docs for s in d["sentences"] if s.get("claims")),
        "claims": sum(len(s.get("claims", [])) for d in docs for s in d["sentences"]),
        "labels": dict(labels),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (corpus_available("allsides_latam") and corpus_available("allsides_more")):
        print("skipped: a real-news corpus is absent (../shared/corpora/allsides_latam, allsides_more, or $STANCE_CORPORA)")
        return 0
    table = {f: stats(ROOT / f) for f in FILES}
    splits = {"real news, train": [f for f in FILES if "allsides_" in f and "_train" in f],
              "real news, dev": [f for f in FILES if "allsides_" in f and "_dev" in f],
              "real news, test": [f for f in FILES if f.startswith("eval/")]}
    for name, files in splits.items():
        table[name] = {key: sum(table[f][key] for f in files) for key in ("documents", "sentences", "sentences_with_claims", "claims")}
        table[name]["labels"] = dict(sum((Counter(table[f]["labels"]) for f in files), Counter()))
    if args.json:
        print(json.dumps(table))
        return 0
    names = stance.LabelSchema.from_disk(ROOT / "seeds" / "labels.json").names
    print(f"{'file':<42}{'docs':>6}{'sents':>7}{'w/claim':>9}{'claims':>8}" + "".join(f"{n[:12]:>14}" for n in names))
    for f, s in table.items():
        print(f"{f:<42}{s['documents']:>6}{s['sentences']:>7}{s['sentences_with_claims']:>9}{s['claims']:>8}"
              + "".join(f"{s['labels'].get(n, 0):>14}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
