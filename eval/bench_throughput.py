"""Throughput of `stance label`, against a naive first implementation and the bare model.

On the same real-news sentences (whole articles of the corpus, title + body, until
``--n`` sentences; articles are reused under new ids if the corpus has fewer), one run
measures sentences per second of

(a) naive: the same fine-tuned model in fp32, one (sentence, candidate) pair at a time
    at batch size 1, as a first implementation would (splitting and actors included);
(b) model: forward passes only, same weights, precision and runtime as (c), at its best
    batch size, on exactly the pairs (c) builds, sorted by length, tokenised beforehand;
(c) end to end: :func:`stance.label_corpus` (what `stance label` runs) from the raw JSONL
    file to sentence records on disk, reading, splitting and actors included (the model
    is loaded before the clock starts: loading takes a few seconds once per run).

It also times the encoder for the other design -- one pass per sentence shared by all its
candidates -- as an upper bound on what that design could gain in speed.

and prints the ratios c/a (target >= 5) and c/b (target >= 0.75), beside the CPU flags it
saw (avx2, avx512f, avx512_bf16, amx...) and the runtime ``--precision`` (default ``auto``)
chose, with the seconds auto's timing gave each runtime it could take (its first load on a machine
times them; later loads read the cached choice). ``--no-bf16`` sets ``STANCE_NO_BF16=1``, so the library takes the paths of a CPU
without native bf16 (``auto`` then picks an ONNX Runtime path where the model's check
allows). The corpus is read from ../shared/corpora/allsides_latam (or $STANCE_CORPUS) at run time.

    python eval/bench_throughput.py [--n 2000] [--json] [--threads 2] [--model DIR] [--no-bf16]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from stance.corpus import DEFAULT_CORPUS, corpus_available, load_corpus  # noqa: E402
from stance.model import cpu_has_bf16  # noqa: E402
from stance.runtimes import cpu_kind  # noqa: E402
from stance.sentences import split_sentences  # noqa: E402


def corpus_documents(n_sentences: int, corpus_dir: Path = DEFAULT_CORPUS) -> tuple[list[dict], int]:
    """Return whole articles as input rows, reused under new ids until ``n_sentences``."""
    articles = list(load_corpus(corpus_dir).values())
    rows, total, copy = [], 0, 0
    while total < n_sentences:
        for article in articles:
            text = f"{article['title']}\n{article['text']}"
            rows.append({"id": f"{article['id']}#{copy}", "text": text, "outlet": article.get("outlet"),
                         "date": article.get("date")})
            total += len(split_sentences(text))
            if total >= n_sentences:
                break
        copy += 1
    return rows, total


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {torch.get_num_threads()} threads, bf16 paths {'on' if cpu_has_bf16() else 'off'}"


def naive(labeler: stance.Labeler, rows: list[dict]) -> tuple[float, int]:
    """Seconds to label the rows one pair at a time, fp32, batch size 1."""
    labeler.set_precision("fp32")
    start = time.perf_counter()
    n = 0
    with torch.inference_mode():
        for row in rows:
            spans = split_sentences(row["text"])
            n += len(spans)
            for i, cands in enumerate(labeler.finder.find(row["text"], spans)):
                for cand in cands:
                    batch = labeler.encoder([labeler.encoder.pair_text(spans, i, cand)])
                    torch.sigmoid(labeler.net(**batch) / labeler.temperature)
    return time.perf_counter() - start, n


def bare_model(labeler: stance.Labeler, rows: list[dict], batch_sizes: tuple[int, ...]) -> tuple[float, int, int]:
    """Best seconds for forward passes only over the pairs the pipeline builds."""
    pairs = []
    for row in rows:
        spans = split_sentences(row["text"])
        pairs.extend(labeler.prepare(row["text"], spans).pairs)
    pairs = [pairs[i] for i in sorted(range(len(pairs)), key=labeler._length_key(pairs))]
    best = (float("inf"), 0)
    for size in batch_sizes:
        batches = [labeler.encoder(pairs[i : i + size]) for i in range(0, len(pairs), size)]
        labeler.logits(batches[0])  # warm-up
        start = time.perf_counter()
        for batch in batches:
            labeler.logits(batch)
        best = min(best, (time.perf_counter() - start, size))
    return best[0], best[1], len(pairs)


def one_pass_bound(labeler: stance.Labeler, rows: list[dict], batch_size: int) -> tuple[float, int]:
    """For a ``pair``-design model: seconds for its encoder run once per sentence with
    candidates (previous sentence | sentence, no actor and no marker), as the ``shared``
    design does; an upper bound on that design's speed, measured with this model's weights.
    """
    texts = []
    for row in rows:
        spans = split_sentences(row["text"])
        for i, cands in enumerate(labeler.finder.find(row["text"], spans)):
            if cands:
                previous = " ".join(spans[i - 1].text.split()[-labeler.config.context_words :]) if i else ""
                texts.append(f"{previous} | {spans[i].text}" if previous else spans[i].text)
    texts.sort(key=len)
    batches = []
    for i in range(0, len(texts), batch_size):
        batch = labeler.tokenizer(texts[i : i + batch_size], truncation=True, max_length=labeler.config.max_length,
                                  padding=True, return_tensors="pt")
        batch["marker_index"] = torch.zeros(len(batch["input_ids"]), dtype=torch.long)
        batches.append(dict(batch))
    labeler.logits(batches[0])
    start = time.perf_counter()
    for batch in batches:
        labeler.logits(batch)
    return time.perf_counter() - start, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="number of sentences (default: 2000)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", default="auto", help="precision of (b) and (c) (default: auto)")
    parser.add_argument("--batch-size", type=int, default=128, help="pairs per batch in (c) (default: 128)")
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("--no-bf16", action="store_true",
                        help="take the paths of a CPU without native bf16 (STANCE_NO_BF16=1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.no_bf16:
        os.environ["STANCE_NO_BF16"] = "1"
    if not corpus_available():
        print(f"corpus not found at {DEFAULT_CORPUS}: set STANCE_CORPUS to the allsides_latam folder", file=sys.stderr)
        raise SystemExit(2)
    torch.set_num_threads(args.threads)
    rows, n_sentences = corpus_documents(args.n)
    labeler = stance.load(args.model, precision=args.precision)
    precision = labeler.precision

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "corpus.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        # (c) end to end, from the raw file to records on disk
        stance.label_corpus(rows[:2], Path(tmp) / "warm.jsonl", labeler)  # warm-up
        start = time.perf_counter()
        summary = stance.label_corpus(src, Path(tmp) / "labels.jsonl", labeler, batch_size=args.batch_size)
        e2e = time.perf_counter() - start
        assert summary.sentences == n_sentences and summary.failed == 0
    # (b) the bare model on the same pairs, same precision
    model_s, model_batch, n_pairs = bare_model(labeler, rows, (32, 64, 128, 256))
    pair_design = labeler.config.design == "pair"
    if pair_design:
        shared_s, n_shared = one_pass_bound(labeler, rows, model_batch)
    # (a) naive, fp32, batch size 1
    naive_s, _ = naive(labeler, rows)
    labeler.set_precision(precision)

    result = {
        "n_sentences": n_sentences, "n_documents": len(rows), "n_pairs": n_pairs, "precision": precision,
        "machine": machine(), "cpu_flags": cpu_kind(), "bf16_paths": cpu_has_bf16(),
        "precision_asked": args.precision,
        "naive_sps": round(n_sentences / naive_s, 1),
        "model_sps": round(n_sentences / model_s, 1),
        "model_batch_size": model_batch,
        "e2e_sps": round(n_sentences / e2e, 1),
        "design": labeler.config.design,
        # where auto had several runtimes to choose from: the seconds each took on this machine
        "auto_timings": {k: round(v, 3) for k, v in labeler.runtime_choice["seconds"].items()}
        if labeler.runtime_choice else None,
    }
    if pair_design:
        result["one_pass_model_sps"] = round(n_sentences / shared_s, 1)
        result["n_sentences_with_candidates"] = n_shared
    result["e2e_over_naive"] = round(result["e2e_sps"] / result["naive_sps"], 2)
    result["e2e_over_model"] = round(result["e2e_sps"] / result["model_sps"], 2)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{n_sentences} sentences in {len(rows)} real-news documents, {n_pairs} (sentence, actor) pairs")
    print(f"machine: {result['machine']}; CPU flags: {result['cpu_flags']}")
    print(f"runtime of (b) and (c): {precision} (asked: {args.precision}); model design: {result['design']}")
    if result["auto_timings"]:
        print("auto timed on this machine (s): " + ", ".join(f"{k} {v}" for k, v in result["auto_timings"].items()))
    print(f"(a) naive, fp32, one pair at a time   {result['naive_sps']:>8.1f} sentences/s")
    print(f"(b) bare model, batch {model_batch:<4}           {result['model_sps']:>8.1f} sentences/s")
    print(f"(c) stance label, end to end          {result['e2e_sps']:>8.1f} sentences/s")
    print(f"c/a = {result['e2e_over_naive']:.2f} (target >= 5)   c/b = {result['e2e_over_model']:.2f} (target >= 0.75)")
    if pair_design:
        print(f"the shared design's encoder, one pass per sentence ({n_shared} passes for {n_pairs} pairs): "
              f"{result['one_pass_model_sps']:.1f} sentences/s, an upper bound measured with this model's weights")


if __name__ == "__main__":
    main()
