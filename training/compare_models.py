"""Say whether two model folders hold identical weights, thresholds and registries.

    python training/build_default.py --out /tmp/rebuild
    python training/compare_models.py stance/models/default /tmp/rebuild

Exits 0 when every tensor is bit-identical, 1 otherwise (printing the largest difference).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from safetensors.torch import load_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    args = parser.parse_args(argv)
    a, b = Path(args.a), Path(args.b)
    wa, wb = load_file(str(a / "weights.safetensors")), load_file(str(b / "weights.safetensors"))
    if set(wa) != set(wb):
        print(f"different tensors: {sorted(set(wa) ^ set(wb))[:5]}")
        return 1
    diff = max(float((wa[k].float() - wb[k].float()).abs().max()) for k in wa)
    same_weights = all(torch.equal(wa[k], wb[k]) for k in wa)
    same_rest = all(
        json.loads((a / f).read_text()) == json.loads((b / f).read_text()) for f in ("thresholds.json", "config.json", "labels.json")
    ) and (a / "actors.jsonl").read_bytes() == (b / "actors.jsonl").read_bytes()
    print(f"{len(wa)} tensors, identical: {same_weights} (max abs difference {diff:g}); "
          f"thresholds, config, schema and registry identical: {same_rest}")
    return 0 if same_weights and same_rest else 1


if __name__ == "__main__":
    raise SystemExit(main())
