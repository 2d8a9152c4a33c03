"""The evaluation report (stance/report.py, stance eval --report): files, numbers, plot content; issue 6."""

import json

import numpy as np
import pytest

import stance
from stance.calibration import pair_scores, reliability
from stance.cli import main
from stance.report import confusion_figure, per_label_figure, reliability_figure

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
SEED = str(ROOT / "seeds" / "seed-001.jsonl")


@pytest.fixture(scope="module")
def metrics(report_dir):
    return json.loads((report_dir / "metrics.json").read_text())


def test_report_files(report_dir, metrics):
    for name in ("report.html", "metrics.json", "per_label_f1.png", "confusion.png", "reliability.png"):
        data = (report_dir / name).read_bytes()
        assert len(data) > 1000, name
        if name.endswith(".png"):
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert metrics["figures"] == {"per_label_f1": "per_label_f1.png", "confusion": "confusion.png",
                                  "reliability": "reliability.png"}
    page = (report_dir / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 3 and "<script" not in page
    assert f"{metrics['sentence_macro_f1']:.3f}" in page


def test_report_numbers_are_the_evaluation_numbers(metrics, shipped, seed_docs):
    direct = stance.evaluate(shipped, seed_docs, n_bootstrap=100)  # as the report_dir fixture runs it
    for key in ("sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1", "actor_f1", "sentence_exact_match",
                "per_label", "confusion", "ci95", "n_pred_claims"):
        assert metrics[key] == json.loads(json.dumps(direct[key])), key  # JSON keeps floats exactly
    assert metrics["gold"] == [SEED] and metrics["model"] == "default"
    # calibration: the library's reliability over the model's pair scores
    probs, outcomes = pair_scores(shipped, seed_docs)
    ece, rows = reliability(probs, outcomes, 10)
    cal = metrics["calibration"]
    assert cal["ece"] == pytest.approx(ece) and cal["n_predictions"] == len(outcomes) == sum(r["n"] for r in cal["bins"])
    assert cal["temperature"] == pytest.approx(shipped.temperature)
    # worst errors: exactly the sentences that are not right, worst first
    n_wrong = round((1 - metrics["sentence_exact_match"]) * metrics["n_sentences"])
    assert metrics["n_error_sentences"] == n_wrong == len(metrics["worst_errors"]) > 0
    sizes = [len(e["missed"]) + len(e["spurious"]) for e in metrics["worst_errors"]]
    assert sizes == sorted(sizes, reverse=True) and min(sizes) > 0
    texts = [s["text"] for s in seed_docs[0]["sentences"]]
    for error in metrics["worst_errors"]:
        assert error["text"] == texts[error["sentence"]]
        for pair in error["spurious"]:
            assert pair["score"] is not None and 0 <= pair["score"] <= 1


def test_report_figures_show_what_they_say(metrics):
    names = list(metrics["per_label"])
    fig = per_label_figure(metrics)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "F1" and "Per-label F1" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert [p.get_height() for p in ax.patches] == pytest.approx([metrics["per_label"][n]["f1"] for n in names])
    assert ax.containers and any(type(c).__name__ == "ErrorbarContainer" for c in ax.containers)

    fig = confusion_figure(metrics)
    ax = fig.axes[0]
    keys = list(metrics["confusion"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted", "gold") and keys[-1] == "none"
    assert [t.get_text() for t in ax.get_xticklabels()] == keys == [t.get_text() for t in ax.get_yticklabels()]
    image = ax.get_images()[0].get_array()
    assert np.array_equal(np.asarray(image), [[metrics["confusion"][g][p] for p in keys] for g in keys])
    assert len(ax.texts) == len(keys) ** 2

    rows = metrics["calibration"]["bins"]
    fig = reliability_figure(rows, metrics["calibration"]["ece"])
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted probability", "observed frequency")
    model_line = ax.get_lines()[1]
    assert list(model_line.get_ydata()) == pytest.approx([r["accuracy"] for r in rows])
    assert "ECE" in ax.get_legend().get_texts()[1].get_text()


def test_report_refuses_cv_and_a_file_as_folder(capsys, tmp_path):
    code = main(["eval", "--gold", SEED, "--cv", "2", "--report", str(tmp_path)])
    assert code == 2 and "E055" in capsys.readouterr().err
    afile = tmp_path / "afile"
    afile.write_text("x")
    code = main(["eval", "--gold", SEED, "--report", str(afile), "--bootstrap", "0"])
    assert code == 2 and "E056" in capsys.readouterr().err


def test_plots_need_matplotlib(monkeypatch, metrics):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(stance.StanceError) as exc:
        per_label_figure(metrics)
    assert exc.value.code == "E050" and "stance[viz]" in str(exc.value)
