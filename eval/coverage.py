"""Candidate coverage: how many gold holders the candidate finder proposes at all.

    python eval/coverage.py [--gold FILE ...] [--model DIR] [--json]
    python eval/coverage.py --registry seeds/actors.jsonl --sources all [--ablation]

The model can only claim an actor the finder proposed, so claim recall is capped by the
share of gold (actor, label) pairs whose actor is a candidate of its sentence. For each gold
file (default: dev and test of both corpora) this prints that share, the covered pairs per
candidate source (registry alias, unregistered name, pronoun, description, generic group...),
the uncovered pairs per kind of their gold mention (implicit, first person, pronoun,
description, adjective, name), how many uncovered pairs have a gold mention that itself names the
actor (the most a learned mention tagger, naming what it tags by its words, could add), and the
candidates per sentence. The finder alone runs (no
network), with the model's registry and candidate sources (default: the shipped model's);
``--registry`` and ``--sources`` (``all``, ``none`` or names from stance.actors.EXTRA_SOURCES,
comma-separated) try others, and ``--ablation`` adds a row per source: that source alone, and all
sources but it. The same figures are ``candidate_coverage`` in ``stance eval --json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from eval.evalsets import DEV, TEST  # noqa: E402
from stance.actors import EXTRA_SOURCES, CandidateFinder  # noqa: E402
from stance.document import Doc, Sentence  # noqa: E402
from stance.evaluation import MISSED_KINDS, candidate_coverage  # noqa: E402
from stance.pairs import sentence_pairs  # noqa: E402
from stance.sentences import spans_from_sentences  # noqa: E402

DEFAULT_GOLD = [*DEV, *TEST]


def candidates_only(labeler: stance.Labeler, documents: list[dict]) -> list[Doc]:
    """The finder's candidates on the gold sentences, as Docs without claims (no network pass)."""
    out = []
    for doc in documents:
        text, spans = spans_from_sentences([s["text"] for s in doc["sentences"]])
        targets = [s.get("targets") for s in doc["sentences"]]
        found = sentence_pairs(labeler.finder, labeler.encoder, text, spans,
                               targets if any(t is not None for t in targets) else None)
        out.append(Doc(text, [Sentence(span.text, span.start, span.end, i, [], cands)
                              for i, (span, cands) in enumerate(zip(spans, found.candidates))], doc.get("doc_id")))
    return out


def coverage_of(labeler: stance.Labeler, documents: list[dict], sources: list[str] | None = None) -> dict:
    """The coverage with the labeler's finder, or one with ``sources`` (and the labeler's registry)."""
    if sources is not None:
        labeler = labeler.with_registry(labeler.registry)
        labeler.finder = CandidateFinder(labeler.registry, sources)
    return candidate_coverage(documents, candidates_only(labeler, documents), labeler.registry)


def parse_sources(value: str | None) -> list[str] | None:
    if value is None:
        return None
    if value == "all":
        return list(EXTRA_SOURCES)
    return [] if value == "none" else [s for s in value.split(",") if s]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", action="append", help="gold JSONL (repeatable; default: dev and test of both corpora)")
    parser.add_argument("--model", help="model folder whose registry and finder to use (default: the shipped model)")
    parser.add_argument("--registry", help="actor registry JSONL instead of the model's (e.g. seeds/actors.jsonl)")
    parser.add_argument("--sources", help="candidate sources: all, none, or a comma list (default: the model's)")
    parser.add_argument("--ablation", action="store_true", help="also each source alone, and all sources but it")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    labeler = stance.load(args.model, registry=args.registry, precision="fp32")
    sources = parse_sources(args.sources)
    results = {}
    pooled: dict[str, list[dict]] = {}
    for path in args.gold or DEFAULT_GOLD:
        try:
            documents = stance.read_documents(ROOT / path if not Path(path).is_absolute() else path, labeler.schema)
        except stance.StanceError as exc:
            if exc.code != "E040":
                raise
            print(f"skipped {path}: {exc}", file=sys.stderr)
            continue
        results[path] = coverage_of(labeler, documents, sources)
        split = "dev" if "_dev" in Path(path).name else "test" if "_test" in Path(path).name else None
        if split:
            pooled.setdefault(split, []).extend(documents)
        if args.ablation:
            for name in EXTRA_SOURCES:
                results[f"{path} [{name} alone]"] = coverage_of(labeler, documents, [name])
                results[f"{path} [all but {name}]"] = coverage_of(labeler, documents, [s for s in EXTRA_SOURCES if s != name])
    finder_speed = None
    if pooled:  # the finder's own speed on these documents (sentences a second, one core, no network)
        finder = CandidateFinder(labeler.registry, sources) if sources is not None else labeler.finder
        docs = [d for documents in pooled.values() for d in documents]
        prepared = [spans_from_sentences([s["text"] for s in d["sentences"]]) for d in docs]
        started = time.perf_counter()
        for text, spans in prepared:
            finder.find(text, spans)
        finder_speed = sum(len(spans) for _, spans in prepared) / (time.perf_counter() - started)
    for split, documents in pooled.items():
        if len([p for p in results if ("_dev" if split == "dev" else "_test") in Path(p).name and "[" not in p]) > 1:
            results[f"all {split} files"] = coverage_of(labeler, documents, sources)
    if args.json:
        print(json.dumps({"files": results, "finder_sentences_per_second": finder_speed}))
        return 0
    kinds = list(MISSED_KINDS)
    print(f"sources: {args.sources or 'the model' + chr(39) + 's'}; registry: {args.registry or 'the model' + chr(39) + 's'}")
    print(f"{'gold file':<42}{'pairs':>6}{'covered':>9}  {'per sentence':>12}  missed by kind ({', '.join(kinds)})")
    for path, r in results.items():
        missed = " ".join(f"{r['missed_by_kind'][k]:>3}" for k in kinds)
        print(f"{path:<42}{r['gold_pairs']:>6}{r['coverage']:>9.3f}  {r['candidates_per_sentence']:>12.2f}  {missed}")
        shares = ", ".join(f"{s} {n / r['gold_pairs']:.3f}" for s, n in r["by_source"].items()) if r["gold_pairs"] else ""
        print(f"{'':<42}covered per source: {shares}")
        print(f"{'':<42}missed pairs whose gold mention names the actor (a mention tagger's ceiling): "
              f"{r['missed_nameable']}")
    if finder_speed:
        print(f"candidate finder: {finder_speed:,.0f} sentences/s on one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
