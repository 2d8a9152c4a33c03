"""Active learning simulation: `stance.active.suggest` against random picks, as a user would run it.

    python eval/active_learning.py --model DIR [--seeds 0 1 2] [--step 50] [--rounds 3] [--pool 800] [--epochs 3]

The user's situation: they have the shipped model (trained on the seed, the written
documents and some real news) and a corpus of real news it has not seen, and they
annotate ``--step`` sentences a round and continue training from the shipped model
(``stance train --data picked.jsonl --from stance/models/default``).

- Start model: ``--model`` (default: the shipped model). Round 0 is its test score. The
  shipped model has seen every real-news training file, so the simulation starts from the
  model ``training/al_start.json`` builds (the shipped recipe without the N files):
  ``python training/build_default.py --config training/al_start.json --out DIR``.
- Unlabelled corpus: the real-news training references in ``training/data`` that the
  start model was *not* trained on (its ``training.json`` lists its data files) and that
  are not the dev file: the sentences with at least one candidate actor, of which a
  seeded draw of ``--pool`` (0: all) is the pool both strategies pick from. The
  annotator is simulated by a picked sentence's gold claims.
- Each round both strategies add ``--step`` sentences from the same pool: ``suggest``
  (with the strategy's model of the previous round) or a seeded random draw. Each
  model then continues from the *start* model on all sentences labelled so far (a
  labelled sentence enters training inside its document, with that document's other
  labelled sentences in order), ``--epochs`` epochs (the last is kept); its
  temperature and per-label thresholds are then fitted on
  ``training/data/allsides_dev.jsonl`` in one pass (``stance train --dev`` would also
  score dev after every epoch, which would triple the run's time), and it is scored on
  the real-news test set with ``stance.evaluate``.
- The test set is never used for picking or training. Several ``--seeds`` (pool draw,
  random picks and training seed) give the spread.

Prints the learning-curve table (mean and spread over seeds), writes
``eval/results/active_learning.json`` and ``.png``. Needs the real-news corpus
(../shared/corpora/allsides_latam or $STANCE_CORPUS).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
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
from stance.calibration import fit_temperature, tune_thresholds  # noqa: E402
from stance.corpus import corpus_available  # noqa: E402
from stance.pairs import gold_pairs  # noqa: E402
from stance.sentences import spans_from_sentences  # noqa: E402

DEV = ROOT / "training" / "data" / "allsides_dev.jsonl"
TEST = ROOT / "eval" / "data" / "allsides_test.jsonl"
METRICS = ("sentence_macro_f1", "claim_micro_f1")
STRATEGIES = ("suggest", "random")


def pool_files(start: Any) -> list[Path]:
    """Return the real-news training files the start model was not trained on (dev left out)."""
    trained = {(ROOT / p).resolve() for p in (start.metadata or {}).get("data_files", {})}
    files = sorted((ROOT / "training" / "data").glob("allsides_*.jsonl"))
    return [p for p in files if p.resolve() not in trained and p.resolve() != DEV.resolve()]


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
    pairs = gold_pairs(dev, labeler.finder, labeler.encoder, labeler.schema, add_uncovered=False)
    labeler.temperature = 1.0
    probs = labeler.score_pairs(pairs.texts).clamp(1e-6, 1 - 1e-6)
    logits = torch.log(probs) - torch.log1p(-probs)
    targets = torch.tensor(pairs.targets)
    temperature = fit_temperature(logits, targets)
    scaled = torch.sigmoid(logits / temperature).numpy()
    labeler.thresholds = tune_thresholds(scaled, targets.numpy(), labeler.schema.names)
    labeler.temperature = temperature


def claims_in(pool: list[dict[str, Any]], sentences: set[tuple[int, int]]) -> int:
    return sum(len(pool[d]["sentences"][i].get("claims", [])) for d, i in sentences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="start model folder (default: the shipped model)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="one run per seed (default: 0 1 2)")
    parser.add_argument("--step", type=int, default=50, help="sentences added a round (default: 50)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of picking and retraining (default: 3)")
    parser.add_argument("--pool", type=int, default=800,
                        help="unlabelled sentences (with candidate actors) drawn per seed; 0: all (default: 800)")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs per model (default: 3)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
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
    start_model = stance.load(args.model) if args.model else stance.load()
    schema, registry = start_model.schema, start_model.registry
    files = pool_files(start_model)
    if not files:
        print("every real-news training file is already in the start model: no unlabelled corpus left. Build a "
              "start model without the N files and pass it: python training/build_default.py --config "
              "training/al_start.json --out DIR, then --model DIR", file=sys.stderr)
        return 2
    pool = [d for path in files for d in stance.read_documents(path, schema)]
    dev = stance.read_documents(DEV, schema)
    test = stance.read_documents(TEST, schema)
    eligible = candidate_sentences(pool, registry)
    from stance.defaults import DEFAULT_MODEL

    weights = Path(args.model) if args.model else DEFAULT_MODEL
    start_info = {"model": str(args.model or "shipped"),
                  "weights_sha256": hashlib.sha256((weights / "weights.safetensors").read_bytes()).hexdigest()[:16]
                  if (weights / "weights.safetensors").is_file() else None,
                  "pool_files": [str(p.relative_to(ROOT)) for p in files]}
    print(f"corpus: {sum(len(d['sentences']) for d in pool)} sentences in {len(pool)} documents of "
          f"{', '.join(p.name for p in files)}; {len(eligible)} with candidate actors, "
          f"{claims_in(pool, set(eligible))} gold claims among them", file=sys.stderr)
    base = stance.evaluate(start_model, test, n_bootstrap=0)
    rows: list[dict[str, Any]] = [{"seed": None, "strategy": s, "round": 0, "labelled": 0,
                                   **{k: round(base[k], 4) for k in METRICS}, "gold_claims": 0} for s in STRATEGIES]
    print(json.dumps(rows[0]), file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def save(elapsed: float | None = None) -> None:
        data = {"args": vars(args), "start": start_info, "rows": rows}
        if elapsed is not None:
            data["seconds"] = round(elapsed, 1)
        out.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    for seed in args.seeds:
        rng = random.Random(seed)
        unlabelled = set(rng.sample(eligible, min(args.pool, len(eligible)))) if args.pool else set(eligible)
        outside = [(str(d), i) for d, doc in enumerate(pool) for i in range(len(doc["sentences"])) if (d, i) not in unlabelled]
        print(f"seed {seed}: pool of {len(unlabelled)} sentences, {claims_in(pool, unlabelled)} gold claims",
              file=sys.stderr)
        state = {s: (set(), start_model, random.Random(seed + 1)) for s in STRATEGIES}
        for round_ in range(1, args.rounds + 1):
            for strategy in STRATEGIES:
                labelled, model, strategy_rng = state[strategy]
                t0 = time.time()
                if strategy == "suggest":
                    picks = suggest(model, [[s["text"] for s in d["sentences"]] for d in pool], args.step,
                                    doc_ids=[str(d) for d in range(len(pool))],
                                    exclude=outside + [(str(d), i) for d, i in labelled])
                    new = {(int(p.doc_id), p.index) for p in picks}
                else:
                    new = set(strategy_rng.sample(sorted(unlabelled - labelled), args.step))
                pick_seconds = time.time() - t0
                labelled = labelled | new
                docs = labelled_documents(pool, labelled)
                model = stance.train(docs, from_model=start_model, epochs=args.epochs, seed=seed)
                tune_on_dev(model, dev)
                result = stance.evaluate(model, test, n_bootstrap=0)
                state[strategy] = (labelled, model, strategy_rng)
                rows.append({"seed": seed, "strategy": strategy, "round": round_, "labelled": len(labelled),
                             **{k: round(result[k], 4) for k in METRICS}, "gold_claims": claims_in(pool, labelled),
                             "new_claims": claims_in(pool, new), "pick_seconds": round(pick_seconds, 1),
                             "seconds": round(time.time() - t0, 1)})
                print(json.dumps(rows[-1]), file=sys.stderr)
            save()
    elapsed = time.time() - started
    save(elapsed)
    report(rows, vars(args), elapsed, out)
    return 0


def _mean_sd(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def report(rows: list[dict[str, Any]], args: dict[str, Any], elapsed: float | None, out: Path) -> None:
    """Print the learning-curve table (Markdown, mean ± sd over seeds) and save the curves as ``out.png``."""
    seeds = sorted({r["seed"] for r in rows if r["seed"] is not None})
    rounds = sorted({r["round"] for r in rows})
    # only rounds every seed finished with both strategies
    done = {(r["seed"], r["strategy"], r["round"]) for r in rows}
    rounds = [n for n in rounds if n == 0 or all((s, st, n) in done for s in seeds for st in STRATEGIES)]
    took = f"; {elapsed / 60:.1f} min in all" if elapsed is not None else ""
    print(f"\nlearning curves on {TEST.relative_to(ROOT)}: continued from the start model, {args['epochs']} epochs a "
          f"model, +{args['step']} sentences a round, seeds {' '.join(map(str, seeds))} (mean ± sd){took}\n")
    print("| labelled news sentences | suggest: sentence macro-F1 | random: sentence macro-F1 "
          "| suggest: claim micro-F1 | random: claim micro-F1 | gold claims picked (suggest / random) |")
    print("|---|---|---|---|---|---|")
    curves: dict[str, dict[str, list[tuple[int, float, float]]]] = {m: {s: [] for s in STRATEGIES} for m in METRICS}
    for n in rounds:
        cells = {}
        for strategy in STRATEGIES:
            rs = [r for r in rows if r["strategy"] == strategy and r["round"] == n]
            cells[strategy] = rs
            for m in METRICS:
                vals = [r[m] for r in rs]
                curves[m][strategy].append((rs[0]["labelled"], statistics.mean(vals),
                                            statistics.stdev(vals) if len(vals) > 1 else 0.0))
        a, b = cells["suggest"], cells["random"]
        print(f"| {a[0]['labelled']} | {_mean_sd([r['sentence_macro_f1'] for r in a])} "
              f"| {_mean_sd([r['sentence_macro_f1'] for r in b])} | {_mean_sd([r['claim_micro_f1'] for r in a])} "
              f"| {_mean_sd([r['claim_micro_f1'] for r in b])} "
              f"| {statistics.mean(r['gold_claims'] for r in a):.1f} / {statistics.mean(r['gold_claims'] for r in b):.1f} |")
    if seeds:
        print("\nper seed, last round (sentence macro-F1 suggest / random):",
              ", ".join(f"seed {s}: " + " / ".join(f"{r['sentence_macro_f1']:.3f}" for st in STRATEGIES
                                                   for r in rows if r["seed"] == s and r["strategy"] == st
                                                   and r["round"] == rounds[-1]) for s in seeds))
    plot(curves, out.with_suffix(".png"))


def plot(curves: dict[str, dict[str, list[tuple[int, float, float]]]], path: Path) -> None:
    """Save the two learning curves (mean ± sd over seeds) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, metric in zip(axes, METRICS):
        for strategy, style in (("suggest", "o-"), ("random", "s--")):
            points = curves[metric][strategy]
            if not points:
                continue
            x, y, sd = zip(*points)
            ax.errorbar(x, y, yerr=sd, fmt=style, capsize=3, label=strategy)
        ax.set_xlabel("labelled real-news sentences")
        ax.set_ylabel(metric.replace("_", " "))
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle("Active learning: suggest vs random picks from the start model, real-news test set")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    raise SystemExit(main())
