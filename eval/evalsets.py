"""The evaluation sets the eval scripts read, named once: paths relative to the repository root.

- ``DEV``: the dev files of the shipped recipe (``training/config.json``): model selection,
  thresholds and every choice made on dev;
- ``TEST``: the real-news test set (both corpora), reported and never tuned on.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV: list[str] = json.loads((ROOT / "training" / "config.json").read_text(encoding="utf-8"))["dev"]
TEST: list[str] = ["eval/data/allsides_test.jsonl", "eval/data/allsides_more_test.jsonl"]
TEST_PATHS: list[Path] = [ROOT / f for f in TEST]
