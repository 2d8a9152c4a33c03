"""eval/learning_curve.py: nested article samples and the per-recipe table (no training here)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("learning_curve", ROOT / "eval" / "learning_curve.py")
learning_curve = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(learning_curve)


def test_samples_keep_whole_articles_and_nest():
    docs = [{"doc_id": f"a{i}", "sentences": []} for i in range(40)]
    quarter, half = (learning_curve.sample(docs, f, seed=13) for f in (0.25, 0.5))
    assert len(quarter) == 10 and len(half) == 20
    assert {d["doc_id"] for d in quarter} <= {d["doc_id"] for d in half}
    assert learning_curve.sample(docs, 0.25, seed=14) != quarter  # the seed picks the articles


def _point(fraction, variant, recipe, dev_f1):
    split = {"sentence_macro_f1": dev_f1, "claim_micro_f1": 0.4,
             "ci95": {"sentence_macro_f1": [dev_f1 - 0.05, dev_f1 + 0.05], "claim_micro_f1": [0.35, 0.45]}}
    return {"fraction": fraction, "variant": variant, "recipe": recipe, "real_sentences": int(fraction * 1000),
            "written_documents": 70, "train_seconds": 100.0, "threads": 2, "best_epoch": 3,
            "dev": split, "test": split}


def test_table_lists_only_the_recipe_s_points_in_order():
    ours, other = {"epochs": 4}, {"epochs": 6}
    results = {"points": [_point(1.0, "with_written", ours, 0.5), _point(0.25, "with_written", ours, 0.4),
                          _point(1.0, "no_written", ours, 0.45), _point(1.0, "with_written", other, 0.9)]}
    lines = learning_curve.table(results, ours).splitlines()
    assert len(lines) == 2 + 3
    assert lines[2].startswith("| with_written | 25% | 250 |") and "0.400 [0.350, 0.450]" in lines[2]
    assert lines[3].startswith("| with_written | 100% |") and lines[4].startswith("| no_written | 100% |")
    assert "0.900" not in "\n".join(lines)
