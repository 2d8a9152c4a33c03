"""Active learning simulation: `stance.active.suggest` against random picks, on the project's own data.

    python eval/active_learning.py [--start 50] [--step 50] [--rounds 3] [--pool 300] [--epochs 3] [--seed 0]

Sentences come from the training documents (seeds/ and training/data/*.jsonl except
the dev file); the annotator is simulated by taking a picked sentence's gold claims.
A seeded random draw gives the starting labelled set (``--start`` sentences) and the
unlabelled pool (``--pool`` sentences) that both strategies pick from, kept small so
the run stays cheap. Both start from the same model, then add ``--step`` sentences a
round, picked by
``suggest`` (uncertainty x diversity, with the model of the previous round) or at
random, retrain from the base encoder and score on the real-news test set with
``stance.evaluate``. Both pick only among sentences that have candidate actors (the
model says nothing about the others), so the random baseline is held to the same
footing. A labelled sentence enters training inside its document, with that
document's other labelled sentences in order (unlabelled ones are left out).

Each model trains ``--epochs`` epochs from the base encoder (the last epoch is kept);
its temperature and per-label thresholds are then fitted on
``training/data/allsides_dev.jsonl`` in one pass, as ``stance train --dev`` does.
Prints the learning-curve table, writes ``eval/results/active_learning.json`` and
``.png``. Needs the real-news corpus (../shared/corpora/allsides_latam or $STANCE_CORPUS).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from stance.active import suggest  # noqa: E402
from stance.actors import CandidateFinder  # noqa: E402
from stance.corpus import corpus_available  # noqa: E402
from stance.sentences import spans_from_sentences  # noqa: E402
from stance.training import build_pairs, fit_temperature, tune_thresholds  # noqa: E402

DEV = ROOT / "training" / "data" / "allsides_dev.jsonl"
TEST = ROOT / "eval" / "data" / "allsides_test.jsonl"
METRICS = ("sentence_macro_f1", "claim_micro_f1")


def pool_documents(schema: stance.LabelSchema) -> list[dict[str, Any]]:
    """Return the training documents the simulation draws sentences from (dev left out)."""
    files = [ROOT / "seeds" / "seed-001.jsonl", *sorted((ROOT / "training" / "data").glob("*.jsonl"))]
    return [d for path in files if path != DEV for d in stance.read_documents(path, schema)]


def labelled_documents(pool: list[dict[str, Any]], labelled: set[tuple[int, int]]) -> list[dict[str, Any]]:
    """Return each document that has labelled sentences, reduced to those sentences (gold claims)."""
    out = []
    for d, doc in enumerate(pool):
        kept = [s for i, s in enumerate(doc["sentences"]) if (d, i) in labelled]
        if kept:
            out.append({**doc, "sentences": kept})
    return out


def candidate_sentences(pool: list[dict[str, Any]], registry: stance.ActorRegistry) -> list[tuple[int, int]]:
    """Return (document, sentence) of every pool sentence with at least one candidate actor."""
    finder = CandidateFinder(registry)
    found = []
    for d, doc in enumerate(pool):
        text, spans = spans_from_sentences([s["text"] for s in doc["sentences"]])
        found += [(d, i) for i, cands in enumerate(finder.find(text, spans)) if cands]
    return found


def tune_on_dev(labeler: Any, dev: list[dict[str, Any]]) -> None:
    """Refit the labeler's temperature and per-label thresholds on the dev pairs, in place.

    One scoring pass over dev, where ``stance.train(dev_documents=...)`` would also score
    dev after every epoch: the last epoch is kept, which keeps the simulation cheap.
    """
    pairs = build_pairs(dev, labeler.finder, labeler.encoder, labeler.schema, add_uncovered=False)
    labeler.temperature = 1.0
    probs = labeler.score_pairs(pairs.texts).clamp(1e-6, 1 - 1e-6)
    logits = torch.log(probs) - torch.log1p(-probs)
    targets = torch.tensor(pairs.targets)
    temperature = fit_temperature(logits, targets)
    scaled = torch.sigmoid(logits / temperature).numpy()
    labeler.thresholds = tune_thresholds(scaled, targets.numpy(), labeler.schema.names)
    labeler.temperature = temperature


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", type=int, default=50, help="labelled sentences before the first round")
    parser.add_argument("--step", type=int, default=50, help="sentences added a round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of picking and retraining")
    parser.add_argument("--pool", type=int, default=300,
                        help="unlabelled sentences (with candidate actors) the picks are drawn from")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs per model")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random picks and of training")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--out", default=str(ROOT / "eval" / "results" / "active_learning"),
                        help="path stem of the .json and .png written")
    parser.add_argument("--report", metavar="JSON",
                        help="only print the table and save the PNG from a results JSON this script wrote")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text(encoding="utf-8"))
        report(saved["rows"], saved["args"], saved.get("seconds"), Path(args.report))
        return 0
    if not corpus_available():
        print("the real-news corpus is absent (../shared/corpora/allsides_latam or $STANCE_CORPUS): cannot run",
              file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    started = time.time()
    shipped = stance.load()
    schema, registry = shipped.schema, shipped.registry
    pool = pool_documents(schema)
    dev = stance.read_documents(DEV, schema)
    test = stance.read_documents(TEST, schema)
    eligible = candidate_sentences(pool, registry)
    rng = random.Random(args.seed)
    drawn = rng.sample(eligible, args.start + args.pool)
    start, unlabelled = set(drawn[: args.start]), set(drawn[args.start :])
    outside = [(str(d), i) for d, doc in enumerate(pool) for i in range(len(doc["sentences"])) if (d, i) not in unlabelled]
    print(f"pool: {sum(len(d['sentences']) for d in pool)} sentences in {len(pool)} documents, "
          f"{len(eligible)} with candidate actors; start {len(start)}, unlabelled pool {len(unlabelled)}, "
          f"+{args.step} x {args.rounds} rounds", file=sys.stderr)

    def fit_and_score(labelled: set[tuple[int, int]]) -> tuple[Any, dict[str, float]]:
        docs = labelled_documents(pool, labelled)
        t0 = time.time()
        labeler = stance.train(docs, schema=schema, registry=registry, epochs=args.epochs, seed=args.seed)
        tune_on_dev(labeler, dev)
        t1 = time.time()
        result = stance.evaluate(labeler, test, n_bootstrap=0)
        print(f"  trained on {len(labelled)} sentences in {t1 - t0:.0f} s, test scored in {time.time() - t1:.0f} s",
              file=sys.stderr)
        gold = sum(len(s["claims"]) for d in docs for s in d["sentences"])
        return labeler, {**{k: round(result[k], 4) for k in METRICS}, "gold_claims": gold}

    first_model, first_scores = fit_and_score(start)
    rows = [{"strategy": s, "round": 0, "labelled": len(start), **first_scores} for s in ("suggest", "random")]
    print(json.dumps(rows[0]), file=sys.stderr)
    state = {s: (set(start), first_model, random.Random(args.seed + 1)) for s in ("suggest", "random")}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for round_ in range(1, args.rounds + 1):  # both strategies each round, so a cut-short run has whole rounds
        for strategy in ("suggest", "random"):
            labelled, model, strategy_rng = state[strategy]
            t0 = time.time()
            if strategy == "suggest":
                picks = suggest(model, [[s["text"] for s in d["sentences"]] for d in pool], args.step,
                                doc_ids=[str(d) for d in range(len(pool))],
                                exclude=outside + [(str(d), i) for d, i in labelled])
                new = {(int(p.doc_id), p.index) for p in picks}
                print(f"  suggest picked {len(new)} in {time.time() - t0:.0f} s", file=sys.stderr)
            else:
                new = set(strategy_rng.sample(sorted(unlabelled - labelled), args.step))
            labelled = labelled | new
            model, scores = fit_and_score(labelled)
            state[strategy] = (labelled, model, strategy_rng)
            row = {"strategy": strategy, "round": round_, "labelled": len(labelled), **scores,
                   "seconds": round(time.time() - t0, 1)}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
        out.with_suffix(".json").write_text(json.dumps({"args": vars(args), "rows": rows}, indent=1) + "\n")
    elapsed = time.time() - started
    out.with_suffix(".json").write_text(json.dumps({"args": vars(args), "seconds": round(elapsed, 1), "rows": rows},
                                                   indent=1) + "\n", encoding="utf-8")
    report(rows, vars(args), elapsed, out)
    return 0


def report(rows: list[dict[str, Any]], args: dict[str, Any], elapsed: float | None, out: Path) -> None:
    """Print the learning-curve table (Markdown) and save the curves as ``out.png``."""
    rounds = sorted({r["round"] for r in rows})
    by = {(r["strategy"], r["round"]): r for r in rows}
    rounds = [n for n in rounds if ("suggest", n) in by and ("random", n) in by]
    took = f"; {elapsed / 60:.1f} min in all" if elapsed is not None else ""
    print(f"\nlearning curves on {TEST.relative_to(ROOT)}, {args['epochs']} epochs a model, seed {args['seed']}{took}\n")
    print("| labelled sentences | suggest: sentence macro-F1 | random: sentence macro-F1 "
          "| suggest: claim micro-F1 | random: claim micro-F1 | gold claims (suggest / random) |")
    print("|---|---|---|---|---|---|")
    for n in rounds:
        a, b = by[("suggest", n)], by[("random", n)]
        print(f"| {a['labelled']} | {a['sentence_macro_f1']:.3f} | {b['sentence_macro_f1']:.3f} "
              f"| {a['claim_micro_f1']:.3f} | {b['claim_micro_f1']:.3f} | {a['gold_claims']} / {b['gold_claims']} |")
    plot([r for r in rows if r["round"] in rounds], out.with_suffix(".png"))


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Save the two learning curves (sentence macro-F1 and claim micro-F1) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, metric in zip(axes, METRICS):
        for strategy, style in (("suggest", "o-"), ("random", "s--")):
            points = [(r["labelled"], r[metric]) for r in rows if r["strategy"] == strategy]
            ax.plot(*zip(*points), style, label=strategy)
        ax.set_xlabel("labelled sentences")
        ax.set_ylabel(metric.replace("_", " "))
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle("Active learning on the real-news test set")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    raise SystemExit(main())
