"""Learning curve: the shipped recipe retrained on shares of the real-news training articles.

    python eval/learning_curve.py [--fractions 1.0 0.25 0.5 0.75] [--config training/config.json]
    python eval/learning_curve.py --variant no_written          # the recipe without the written documents
    python eval/learning_curve.py --variant written_half        # with half of them (a lower weight)
    python eval/learning_curve.py --plot                        # redraw the PNG from the results
    python eval/learning_curve.py --table                       # print the recipe's points as a Markdown table

Each point trains ``training/config.json``'s recipe (its seed, epochs, patience, lr, design)
on the seed article, the written documents (per ``--variant``) and a seeded share of the
real-news training articles of both corpora (``allsides_train.*`` and
``allsides_more_train.jsonl``; sampled by article, so a share keeps whole articles), with the
same dev data as the shipped build (both corpora's dev files). Each point's dev and test
sentence macro-F1 and claim micro-F1 with bootstrap 95% intervals go to
``eval/results/learning_curve.json`` as soon as the point is done, so an interrupted run
keeps what it finished and a rerun skips it; ``--plot`` (or the end of a run) draws
``eval/results/learning_curve.png``. Test is the enlarged real-news test set
(``eval/data/allsides_test.jsonl`` + ``allsides_more_test.jsonl``): reported, never tuned on.
Needs both corpora (../shared/corpora, or $STANCE_CORPORA).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from eval.evalsets import DEV, TEST  # noqa: E402
from stance.config import TrainingConfig  # noqa: E402
from stance.corpus import corpus_available  # noqa: E402

RESULTS = ROOT / "eval" / "results" / "learning_curve.json"
PLOT = ROOT / "eval" / "results" / "learning_curve.png"
REAL_TRAIN = ["training/data/allsides_train.C.jsonl", "training/data/allsides_train.D.jsonl",
              "training/data/allsides_train.E.jsonl", "training/data/allsides_train.N0.jsonl",
              "training/data/allsides_train.N1.jsonl", "training/data/allsides_train.N2.jsonl",
              "training/data/allsides_train.N3.jsonl", "training/data/allsides_more_train.jsonl"]
SEED = ["seeds/seed-001.jsonl"]
WRITTEN = ["training/data/written_a.jsonl", "training/data/written_b.jsonl"]
VARIANTS = ("with_written", "no_written", "written_half")
KEYS = ("sentence_macro_f1", "claim_micro_f1")


def read(paths: list[str], schema: stance.LabelSchema) -> list[dict]:
    return [d for p in paths for d in stance.read_documents(ROOT / p, schema)]


def sample(documents: list[dict], fraction: float, seed: int) -> list[dict]:
    """A seeded share of the documents (whole articles), nested: a smaller share is inside a larger one."""
    order = list(range(len(documents)))
    random.Random(seed).shuffle(order)
    keep = set(order[: round(len(documents) * fraction)])
    return [d for i, d in enumerate(documents) if i in keep]


def scores(labeler: stance.Labeler, documents: list[dict]) -> dict:
    result = stance.evaluate(labeler, documents, n_bootstrap=1000)
    return {k: round(result[k], 4) for k in (*KEYS, "claim_micro_p", "claim_micro_r")} | {
        "ci95": {k: [round(x, 4) for x in result["ci95"][k]] for k in KEYS},
        "per_label_f1": {n: round(m["f1"], 4) for n, m in result["per_label"].items()},
        "n_sentences": result["n_sentences"]}


def point(config: TrainingConfig, fraction: float, variant: str, schema: stance.LabelSchema, dev: list[dict],
          save_to: Path | None) -> dict:
    real = sample(read(REAL_TRAIN, schema), fraction, config.seed)
    written = read(WRITTEN, schema)
    if variant == "no_written":
        written = []
    elif variant == "written_half":
        written = sample(written, 0.5, config.seed)
    documents = read(SEED, schema) + real + written
    started = time.time()
    # the full point with the written documents is the shipped build: record its files as the build does
    files = [*config.train, *config.dev] if fraction == 1.0 and variant == "with_written" else []
    labeler = stance.train(documents, config, dev_documents=dev, data_files=files, progress=False)
    seconds = time.time() - started
    if save_to is not None:
        labeler.save(save_to)
    labeler.set_precision("fp32")  # figures in fp32, as the model card's
    return {
        "fraction": fraction, "variant": variant, "real_articles": len(real),
        "real_sentences": sum(len(d["sentences"]) for d in real), "written_documents": len(written),
        "train_seconds": round(seconds, 1), "best_epoch": labeler.metadata["best_epoch"],
        "dev": scores(labeler, dev), "test": scores(labeler, read(TEST, schema)),
    }


def recipe_of(config: TrainingConfig) -> dict:
    """What identifies a point's recipe: the config without its file lists, description and threads (recorded per point)."""
    return {k: v for k, v in config.to_dict().items() if k not in ("train", "dev", "description", "threads")}


def load_results() -> dict:
    """The results so far; every point carries the recipe it was trained with."""
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {"points": []}
    for p in results["points"]:  # points written before they carried their recipe share the file's
        p.setdefault("recipe", results.get("recipe"))
        if isinstance(p["recipe"], dict):
            p["recipe"].pop("threads", None)
    results.pop("recipe", None)
    return results


def plot(results: dict, recipe: dict) -> None:
    """Draw the points of ``recipe`` (with the written documents) against real-news sentences."""
    from stance._plots import pyplot

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, split in zip(axes, ("dev", "test")):
        for key, colour in zip(KEYS, ("#1f77b4", "#d62728")):
            rows = sorted((p for p in results["points"] if p["variant"] == "with_written" and p["recipe"] == recipe),
                          key=lambda p: p["fraction"])
            if not rows:
                continue
            x = [p["real_sentences"] for p in rows]
            y = [p[split][key] for p in rows]
            lo = [p[split][key] - p[split]["ci95"][key][0] for p in rows]
            hi = [p[split]["ci95"][key][1] - p[split][key] for p in rows]
            ax.errorbar(x, y, yerr=[lo, hi], marker="o", capsize=3, color=colour, label=key.replace("_", " "))
        ax.set_title(f"{split} ({rows[0][split]['n_sentences'] if rows else 0} sentences)")
        ax.set_xlabel("real-news training sentences")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("F1 (bootstrap 95% interval)")
    axes[0].legend(loc="lower right")
    fig.suptitle("Learning curve: the shipped recipe on shares of the real-news training articles")
    fig.tight_layout()
    fig.savefig(PLOT, dpi=120)


def table(results: dict, recipe: dict) -> str:
    """The points of ``recipe`` as a Markdown table: every variant, by share of real news."""
    def cell(split: dict, key: str) -> str:
        lo, hi = split["ci95"][key]
        return f"{split[key]:.3f} [{lo:.3f}, {hi:.3f}]"

    rows = ["| variant | share | real-news sentences | written docs | train s (threads) | best epoch "
            "| dev macro-F1 | dev claim F1 | test macro-F1 | test claim F1 |", "|---" * 10 + "|"]
    points = sorted((p for p in results["points"] if p["recipe"] == recipe),
                    key=lambda p: (VARIANTS.index(p["variant"]), p["fraction"]))
    for p in points:
        rows.append(f"| {p['variant']} | {p['fraction']:.0%} | {p['real_sentences']:,} | {p['written_documents']} "
                    f"| {p['train_seconds']:,.0f} ({p.get('threads', '?')}) | {p['best_epoch']} | "
                    + " | ".join(cell(p[s], k) for s in ("dev", "test") for k in KEYS) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fractions", type=float, nargs="+", default=[1.0, 0.25, 0.5, 0.75])
    parser.add_argument("--variant", choices=VARIANTS, default="with_written")
    parser.add_argument("--config", default=str(ROOT / "training" / "config.json"), help="the recipe (TrainingConfig)")
    parser.add_argument("--threads", type=int, help="torch threads (default: the config's); recorded per point")
    parser.add_argument("--save-full", metavar="DIR", help="save the model of fraction 1.0 to DIR")
    parser.add_argument("--plot", action="store_true", help="only redraw the PNG from the results file")
    parser.add_argument("--table", action="store_true", help="only print the recipe's points as a Markdown table")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # the recipe's paths are relative to the repository root
    results = load_results()
    config = TrainingConfig.from_file(args.config)
    recipe = recipe_of(config)
    if args.plot:
        plot(results, recipe)
        return 0
    if args.table:
        print(table(results, recipe))
        return 0
    if not (corpus_available("allsides_latam") and corpus_available("allsides_more")):
        print("skipped: needs both real-news corpora (../shared/corpora/allsides_latam and allsides_more, or $STANCE_CORPORA)")
        return 0
    schema = stance.LabelSchema.from_disk(ROOT / (config.schema or "seeds/labels.json"))
    if args.threads:
        config = config.replace(threads=args.threads)
    if config.threads:
        torch.set_num_threads(config.threads)
    dev = read(DEV, schema)
    cpu = sorted(f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16")
                 if f in Path("/proc/cpuinfo").read_text(encoding="utf-8").split()) if Path("/proc/cpuinfo").is_file() else []
    for fraction in args.fractions:
        if any(p["fraction"] == fraction and p["variant"] == args.variant and p["recipe"] == recipe
               for p in results["points"]):
            print(f"{args.variant} {fraction}: done already (in {RESULTS.name})")
            continue
        save_to = Path(args.save_full) if args.save_full and fraction == 1.0 else None
        row = point(config, fraction, args.variant, schema, dev, save_to)
        row |= {"threads": torch.get_num_threads(), "cpu_flags": cpu, "python": platform.python_version(),
                "config": os.path.relpath(Path(args.config).resolve(), ROOT), "recipe": recipe}
        results = load_results()  # another run may have added points meanwhile
        results["points"].append(row)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(json.dumps({k: row[k] for k in ("fraction", "variant", "real_sentences", "train_seconds", "best_epoch")}
                         | {f"{s}_{k}": row[s][k] for s in ("dev", "test") for k in KEYS}), flush=True)
    try:
        plot(load_results(), recipe)
    except stance.StanceError as exc:  # matplotlib absent
        print(f"no plot: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
