"""Memory of `stance label` as the corpus grows: peak RSS for 10k and for 100k sentences.

Each size runs in a fresh process (the same :func:`stance.label_corpus` path `stance label`
runs, streaming JSONL in and records out), so each peak is that run's own. The corpus's
real-news articles are reused under new ids to reach the size. Target: the 100k peak
within 10% of the 10k peak (the input is read lazily and the output written as it goes).

``--precision`` picks the runtime (default ``auto``); ``--no-bf16`` takes the paths of a CPU
without native bf16 (``STANCE_NO_BF16=1``: ``auto`` may then pick ONNX Runtime).

    python eval/bench_memory.py [--sizes 10000 100000] [--json] [--precision auto] [--no-bf16]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import torch
torch.set_num_threads({threads})
import stance
labeler = stance.load(precision={precision!r})
start = time.perf_counter()
summary = stance.label_corpus({src!r}, {out!r}, labeler)
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"sentences": summary.sentences, "documents": summary.labelled, "seconds": seconds,
                  "peak_rss_mb": peak_kb / 1024, "runtime": labeler.precision}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--no-bf16", action="store_true", help="the paths of a CPU without native bf16")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, **({"STANCE_NO_BF16": "1"} if args.no_bf16 else {})}
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "eval"))
    from bench_throughput import corpus_documents

    from stance.corpus import DEFAULT_CORPUS, corpus_available

    if not corpus_available():
        print(f"corpus not found at {DEFAULT_CORPUS}: set STANCE_CORPUS to the allsides_latam folder", file=sys.stderr)
        raise SystemExit(2)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rows, _ = corpus_documents(size)
            src = Path(tmp) / f"in{size}.jsonl"
            src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
            code = CHILD.format(root=str(ROOT), threads=args.threads, precision=args.precision, src=str(src), out=str(Path(tmp) / f"out{size}.jsonl"))
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                  env=env)
            run = json.loads(done.stdout.strip().splitlines()[-1])
            run["wall_seconds"] = round(time.perf_counter() - start, 1)
            run["peak_rss_mb"] = round(run["peak_rss_mb"], 1)
            run["seconds"] = round(run["seconds"], 1)
            runs.append(run)
            print(f"measured {run}", file=sys.stderr)
    ratio = runs[-1]["peak_rss_mb"] / runs[0]["peak_rss_mb"]
    from stance.runtimes import cpu_kind

    result = {"cpu_flags": cpu_kind(), "runs": runs, "peak_ratio_largest_over_smallest": round(ratio, 3),
              "max_child_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    if args.json:
        print(json.dumps(result))
        return
    for run in runs:
        print(f"{run['sentences']:>8} sentences  {run['documents']:>6} documents  peak RSS {run['peak_rss_mb']:>8.1f} MB"
              f"  {run['seconds']:>7.1f} s labelling  runtime {run['runtime']}")
    print(f"CPU flags: {result['cpu_flags']}")
    print(f"peak RSS ratio {runs[-1]['sentences']} / {runs[0]['sentences']} sentences: {ratio:.3f} (target <= 1.10)")


if __name__ == "__main__":
    main()
