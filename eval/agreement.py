"""Agreement between two independent annotation passes of the same sentences.

    python eval/agreement.py eval/data/allsides_test.A.jsonl eval/data/allsides_test.B.jsonl [--json]

Prints per-label Cohen's kappa (sentence level: does the sentence carry the label),
sentence macro/micro-F1 and claim-level (actor, label) micro-F1 of pass B against
pass A, with the same scorer as `stance eval`. Reference files are resolved against
the corpora they name (../shared/corpora/NAME, or $STANCE_CORPORA); where one is absent
the script says so and stops.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from stance.document import Claim, Doc, Sentence  # noqa: E402


def as_prediction(doc: dict) -> Doc:
    sentences = [
        Sentence(s["text"], 0, len(s["text"]), i,
                 [Claim(c["actor"], list(c["labels"]), dict.fromkeys(c["labels"], 1.0)) for c in s.get("claims", [])])
        for i, s in enumerate(doc["sentences"])
    ]
    return Doc("", sentences, doc.get("doc_id"))


def agreement(a_docs: list[dict], b_docs: list[dict], schema: stance.LabelSchema, registry: stance.ActorRegistry) -> dict:
    b_by_id = {d["doc_id"]: d for d in b_docs}
    pairs = [(a, b_by_id[a["doc_id"]]) for a in a_docs if a["doc_id"] in b_by_id]
    for a, b in pairs:
        if [s["text"] for s in a["sentences"]] != [s["text"] for s in b["sentences"]]:
            raise SystemExit(f"{a['doc_id']}: the two passes have different sentences")
    result = stance.score([a for a, _ in pairs], [as_prediction(b) for _, b in pairs], schema, registry, n_bootstrap=1000)
    kappa = {}
    for label in schema.names:
        ya = [label in {x for c in s["claims"] for x in c["labels"]} for a, _ in pairs for s in a["sentences"]]
        yb = [label in {x for c in s["claims"] for x in c["labels"]} for _, b in pairs for s in b["sentences"]]
        kappa[label] = float(cohen_kappa_score(ya, yb))
    return {
        "n_documents": len(pairs),
        "n_sentences": result["n_sentences"],
        "kappa": kappa,
        "sentence_macro_f1": result["sentence_macro_f1"],
        "sentence_micro_f1": result["sentence_micro_f1"],
        "claim_micro_f1": result["claim_micro_f1"],
        "actor_f1": result["actor_f1"],
        "ci95": result["ci95"],
        "claims_a": result["n_gold_claims"],
        "claims_b": result["n_pred_claims"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pass_a")
    parser.add_argument("pass_b")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    schema = stance.LabelSchema.from_disk(ROOT / "seeds" / "labels.json")
    registry = stance.ActorRegistry.from_disk(ROOT / "seeds" / "actors.jsonl")
    try:
        a_docs, b_docs = stance.read_documents(args.pass_a, schema), stance.read_documents(args.pass_b, schema)
    except stance.StanceError as exc:
        if exc.code != "E040":
            raise
        print(f"skipped: a corpus the passes refer to is absent ({exc})")
        return 0
    result = agreement(a_docs, b_docs, schema, registry)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['n_documents']} documents, {result['n_sentences']} sentences; claims A {result['claims_a']}, B {result['claims_b']}")
    for label, k in result["kappa"].items():
        print(f"kappa {label:<20} {k:.3f}")
    for key in ("sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1", "actor_f1"):
        lo, hi = result["ci95"][key]
        print(f"{key:<20} {result[key]:.3f}  [{lo:.3f}, {hi:.3f}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
