"""Training data from a teacher: its calibrated scores of unlabelled sentences, as references.

A larger model (the teacher) reads articles of a corpus no one annotated. What it makes of
each (sentence, candidate) pair is written as a reference file in the format of
:mod:`stance.corpus` -- per sentence its field, offsets and sha1, never its text -- whose
sentences carry the teacher's candidates as given targets (actor, mention and its offset in
the sentence, how it was found) with the teacher's calibrated ``scores``. Listed among a
training config's ``train`` files, such a file gives a student soft targets beside the gold
(:func:`stance.pairs.gold_pairs`), so the student rebuilds from it without the teacher, and a
changed corpus is caught by the hashes (E042) instead of silently misaligned.

    python -m stance.distillation --teacher DIR --corpus allsides_more --limit 200 --out FILE
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .corpus import load_corpus, template_documents, to_references
from .document import Candidate
from .labeler import Labeler
from .sentences import SentenceSpan, spans_from_sentences

__all__ = ["teacher_references", "write_teacher_references"]


def _target(candidate: Candidate, span: SentenceSpan, scores: dict[str, float]) -> dict[str, Any]:
    target: dict[str, Any] = {"actor": candidate.actor, "kind": candidate.kind, "source": candidate.source}
    if candidate.mention is not None:
        target["mentions"] = candidate.mention.text
        target["start"] = candidate.mention.start - span.start
    target["scores"] = {name: round(p, 4) for name, p in scores.items()}
    return target


def teacher_references(
    teacher: Labeler, article_ids: Iterable[str], corpus: str | Path, batch_size: int = 128
) -> Iterator[dict[str, Any]]:
    """Yield, per article, a reference line whose sentences carry the teacher's scored candidates.

    Sentences are the corpus's as annotation templates split them (title, then the text's
    sentences); a sentence without a candidate has no targets and adds no pair.
    """
    names = teacher.schema.names
    for doc in template_documents(list(article_ids), corpus):
        text, spans = spans_from_sentences([s["text"] for s in doc["sentences"]])
        prepared = teacher.prepare(text, spans)
        probs = teacher.score_pairs(prepared.pairs, batch_size).tolist()
        offset = 0
        for sentence, span, cands in zip(doc["sentences"], spans, prepared.candidates):
            rows = probs[offset : offset + len(cands)]
            offset += len(cands)
            sentence["targets"] = [_target(c, span, dict(zip(names, row))) for c, row in zip(cands, rows)]
        yield {**to_references(doc), "teacher": teacher.model_key[:12]}


def write_teacher_references(
    teacher: Labeler, out: str | Path, corpus: str | Path, article_ids: Iterable[str] | None = None,
    exclude: Iterable[str] = (), limit: int | None = None, seed: int = 13,
) -> int:
    """Write the teacher's references for a corpus's articles to ``out``; return how many.

    ``article_ids``: default every article of the corpus, in a seeded order, less ``exclude``
    (articles annotated anywhere: their sentences have gold) and cut to ``limit``.
    """
    if article_ids is None:
        skip = set(exclude)
        article_ids = sorted(a for a in load_corpus(corpus) if a not in skip)
        random.Random(seed).shuffle(article_ids)
        article_ids = article_ids[:limit] if limit is not None else article_ids
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for line in teacher_references(teacher, article_ids, corpus):
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
    return n


def _annotated_articles(folders: Iterable[Path]) -> set[str]:
    """Article ids referenced by any JSONL file in ``folders`` (annotated somewhere: never teacher data)."""
    ids = set()
    for folder in folders:
        for path in sorted(folder.glob("*.jsonl")):
            with path.open(encoding="utf-8") as f:
                for line in f:
                    try:
                        ref = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(ref, dict) and isinstance(ref.get("article_id"), str):
                        ids.add(ref["article_id"])
    return ids


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stance.distillation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", required=True, help="the teacher's model folder")
    parser.add_argument("--corpus", required=True, help="a corpus name (allsides_more) or folder")
    parser.add_argument("--out", required=True, help="the reference file to write")
    parser.add_argument("--limit", type=int, help="at most this many articles")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--exclude-annotated", nargs="*", default=["training/data", "eval/data", "seeds"], metavar="DIR",
                        help="folders whose reference files name articles to leave out (default: every annotated one)")
    parser.add_argument("--precision", default="fp32", help="the teacher's runtime (default fp32)")
    args = parser.parse_args(argv)
    teacher = Labeler.load(args.teacher, precision=args.precision)
    exclude = _annotated_articles(Path(d) for d in args.exclude_annotated)
    n = write_teacher_references(teacher, args.out, args.corpus, exclude=exclude, limit=args.limit, seed=args.seed)
    print(f"{n} articles scored by {args.teacher} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
