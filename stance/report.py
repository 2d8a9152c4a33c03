"""The evaluation report: ``report.html`` with embedded plots, and the same numbers in ``metrics.json``.

Every number comes from :mod:`stance.evaluation` (the scores, their bootstrap intervals,
the label confusion and the sentence errors) and :mod:`stance.calibration` (the
reliability bins), exactly as ``stance eval`` prints them. The plots are matplotlib
figures, written as PNG files beside the page and embedded in it as ``data:`` URIs, so
the page is one self-contained file.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._plots import figure_png, label_colors, png_data_uri, pyplot
from .calibration import pair_scores, reliability
from .errors import StanceError
from .evaluation import predict, score, sentence_errors
from .render import CSP

__all__ = ["confusion_figure", "per_label_figure", "reliability_figure", "report_html", "write_report"]

_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; }
header, main { max-width: 64rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid #dadce0; }
.meta, .note { color: #5f6368; font-size: .9rem; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: .25rem 0; }
th, td { padding: .2rem .6rem; border-bottom: 1px solid #eceff1; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
figure { margin: .5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eceff1; }
figcaption { color: #5f6368; font-size: .9rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: .2rem; margin-right: .3rem; }
ol.errors { padding-left: 1.25rem; }
ol.errors li { margin: 0 0 1rem; }
.sentence { margin: .1rem 0 .3rem; overflow-wrap: anywhere; }
.pairs { display: grid; grid-template-columns: 1fr 1fr; gap: .25rem 1rem; font-size: .9rem; }
.missed { color: #b3261e; } .spurious { color: #7a4f00; }
@media (max-width: 40rem) { .pairs { grid-template-columns: 1fr; } body { font-size: 15px; } }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def per_label_figure(result: dict[str, Any]) -> Any:
    """Return a bar chart of per-label F1 with bootstrap 95% intervals as error bars."""
    plt = pyplot()
    names = list(result["per_label"])
    colors = label_colors(names)
    f1 = [result["per_label"][n]["f1"] for n in names]
    ci = [result["per_label"][n].get("f1_ci95") for n in names]
    fig, ax = plt.subplots(figsize=(max(4.5, 1.4 * len(names) + 1.5), 3.6))
    yerr = None
    if all(c is not None for c in ci):
        yerr = [[max(0.0, v - c[0]) for v, c in zip(f1, ci)], [max(0.0, c[1] - v) for v, c in zip(f1, ci)]]
    ax.bar(names, f1, color=[colors[n] for n in names], yerr=yerr, capsize=5, ecolor="#333333")
    for i, v in enumerate(f1):
        ax.annotate(f"{v:.2f}", (i, v), xytext=(8, 3), textcoords="offset points", fontsize=9)
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.set_xlabel("label")
    ax.set_title("Per-label F1 (sentence level)" + (", bootstrap 95% intervals" if yerr else ""))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def confusion_figure(result: dict[str, Any]) -> Any:
    """Return a heatmap of gold label (rows) against predicted label (columns), ``none`` included."""
    plt = pyplot()
    keys = list(result["confusion"])
    matrix = [[result["confusion"][g][p] for p in keys] for g in keys]
    fig, ax = plt.subplots(figsize=(1.3 * len(keys) + 2.5, 1.0 * len(keys) + 1.8))
    image = ax.imshow(matrix, cmap="Blues")
    top = max((v for row in matrix for v in row), default=0)
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", color="white" if v > top / 2 else "black", fontsize=9)
    ax.set_xticks(range(len(keys)), keys, rotation=30, ha="right")
    ax.set_yticks(range(len(keys)), keys)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title("Labels per sentence: gold vs predicted")
    fig.colorbar(image, ax=ax, label="sentences")
    fig.tight_layout()
    return fig


def reliability_figure(rows: Sequence[dict[str, Any]], ece: float) -> Any:
    """Return the reliability diagram: mean score against observed frequency per bin."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot([r["confidence"] for r in rows], [r["accuracy"] for r in rows], "o-", color="#0072B2",
            label=f"model (ECE {ece:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("Reliability diagram")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def _pct(v: float) -> str:
    return f"{v:.3f}"


def _interval(lo_hi: Sequence[float] | None) -> str:
    return f"[{lo_hi[0]:.3f}, {lo_hi[1]:.3f}]" if lo_hi else ""


def _headline_rows(result: dict[str, Any]) -> str:
    ci = result.get("ci95", {})
    rows = [
        ("sentence macro-F1", "sentence_macro_f1", None, None),
        ("sentence micro-F1", "sentence_micro_f1", "sentence_micro_p", "sentence_micro_r"),
        ("claim micro-F1 (actor, label)", "claim_micro_f1", "claim_micro_p", "claim_micro_r"),
        ("actor attribution F1", "actor_f1", "actor_p", "actor_r"),
        ("sentences exactly right", "sentence_exact_match", None, None),
    ]
    out = []
    for name, key, p, r in rows:
        lo_hi = ci.get(key)
        out.append(
            f'<tr data-metric="{key}"><td>{_e(name)}</td><td>{_pct(result[key])}</td>'
            f"<td>{_interval(lo_hi)}</td>"
            f"<td>{_pct(result[p]) if p else ''}</td><td>{_pct(result[r]) if r else ''}</td></tr>"
        )
    return "".join(out)


def _claims_text(claims: Sequence[dict[str, Any]], with_scores: bool) -> str:
    if not claims:
        return "no claim"
    parts = []
    for c in claims:
        labels = ", ".join(
            f"{lab} {c['scores'][lab]:.2f}" if with_scores and lab in c.get("scores", {}) else lab for lab in c["labels"]
        )
        parts.append(f"{c['actor']}: {labels}")
    return "; ".join(parts)


def _pairs_text(pairs: Sequence[dict[str, Any]]) -> str:
    return "; ".join(f"{p['actor']}: {p['label']}" + (f" ({p['score']:.2f})" if p.get("score") is not None else "")
                     for p in pairs) or "none"


def report_html(metrics: dict[str, Any], pngs: dict[str, bytes]) -> str:
    """Return the report page for ``metrics`` (as written to metrics.json) and the plots' PNG bytes."""
    names = list(metrics["per_label"])
    colors = label_colors(names)
    per_label = "".join(
        f'<tr data-label="{_e(n)}"><td><span class="swatch" style="background:{colors[n]}"></span>{_e(n)}</td>'
        f"<td>{_pct(m['p'])}</td><td>{_pct(m['r'])}</td><td>{_pct(m['f1'])}</td>"
        f"<td>{_interval(m.get('f1_ci95'))}</td><td>{m['support']}</td></tr>"
        for n, m in metrics["per_label"].items()
    )
    keys = list(metrics["confusion"])
    confusion = "<tr><th>gold \\ predicted</th>" + "".join(f"<th>{_e(k)}</th>" for k in keys) + "</tr>" + "".join(
        f"<tr><td>{_e(g)}</td>" + "".join(f"<td>{metrics['confusion'][g][p]}</td>" for p in keys) + "</tr>" for g in keys
    )
    cal = metrics.get("calibration")
    cal_rows = "".join(
        f"<tr><td>{_e(r['bin'])}</td><td>{r['n']}</td><td>{r['confidence']:.3f}</td><td>{r['accuracy']:.3f}</td></tr>"
        for r in (cal or {}).get("bins", [])
    )
    errors = "".join(
        f'<li class="error" data-doc-id="{_e(e["doc_id"])}" data-sentence="{e["sentence"]}">'
        f'<p class="meta">{_e(e["doc_id"])}, sentence {e["sentence"]}</p><p class="sentence">{_e(e["text"])}</p>'
        f'<div class="pairs"><div><b>gold</b> {_e(_claims_text(e["gold"], False))}</div>'
        f'<div><b>predicted</b> {_e(_claims_text(e["predicted"], True))}</div>'
        f'<div class="missed"><b>missed</b> {_e(_pairs_text(e["missed"]))}</div>'
        f'<div class="spurious"><b>spurious</b> {_e(_pairs_text(e["spurious"]))}</div></div></li>'
        for e in metrics.get("worst_errors", [])
    )

    def figure(name: str, alt: str, caption: str) -> str:
        if name not in pngs:
            return ""
        return (f'<figure id="fig-{name}"><img src="{png_data_uri(pngs[name])}" alt="{_e(alt)}" '
                f'width="640"><figcaption>{_e(caption)}</figcaption></figure>')

    boot = metrics.get("bootstrap")
    sources = ", ".join(str(g) for g in metrics.get("gold", [])) or "gold documents"
    title = f"Evaluation of {metrics.get('model', 'a model')} on {sources}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><header><h1>{_e(title)}</h1>"
        f'<p class="meta">{metrics["n_documents"]} documents, {metrics["n_sentences"]} sentences, '
        f'{metrics["n_gold_claims"]} gold claims, {metrics["n_pred_claims"]} predicted claims; scored on the gold '
        "sentence boundaries. "
        + (f"Intervals: bootstrap 95% over sentences ({boot['n']} resamples, seed {boot['seed']})." if boot else "")
        + "</p></header><main>"
        '<h2 id="headline">Headline</h2><div class="scroll"><table class="headline">'
        "<tr><th>metric</th><th>value</th><th>95% interval</th><th>P</th><th>R</th></tr>"
        f"{_headline_rows(metrics)}</table></div>"
        '<h2 id="per-label">Per label (sentence level)</h2><div class="scroll"><table class="per-label">'
        "<tr><th>label</th><th>P</th><th>R</th><th>F1</th><th>F1 95% interval</th><th>support</th></tr>"
        f"{per_label}</table></div>"
        + figure("per_label_f1", "Bar chart of F1 per label with error bars", "F1 per label; error bars: bootstrap 95% interval.")
        + '<h2 id="confusion">Confusion between labels and no claim</h2>'
        '<p class="note">Per sentence: each gold label (rows; none = no claim) counted against each predicted label '
        "(columns).</p>"
        f'<div class="scroll"><table class="confusion">{confusion}</table></div>'
        + figure("confusion", "Heatmap of gold against predicted labels", "Gold (rows) against predicted (columns) labels per sentence.")
        + (
            '<h2 id="calibration">Calibration</h2>'
            f'<p class="note">{cal["n_predictions"]} (candidate, label) scores against whether the gold claim of that '
            f'candidate carries the label. Expected calibration error {cal["ece"]:.4f} (temperature '
            f'{cal["temperature"]:.3f}; without it {cal["ece_without_temperature"]:.4f}).</p>'
            '<div class="scroll"><table class="reliability"><tr><th>score bin</th><th>n</th><th>mean score</th>'
            f"<th>observed frequency</th></tr>{cal_rows}</table></div>"
            + figure("reliability", "Reliability diagram", "Mean score against observed frequency per bin; the diagonal is perfect calibration.")
            if cal else ""
        )
        + f'<h2 id="errors">Worst errors ({len(metrics.get("worst_errors", []))} of {metrics.get("n_error_sentences", 0)} '
        "sentences with a wrong claim)</h2>"
        '<p class="note">Most wrong (actor, label) pairs first, then the most confident spurious score. Scores are the '
        f'model\'s probabilities.</p><ol class="errors">{errors}</ol>'
        "</main></body></html>\n"
    )


def write_report(
    labeler: Any,
    documents: Sequence[dict[str, Any]],
    out_dir: str | os.PathLike[str],
    n_bootstrap: int = 1000,
    seed: int = 0,
    bins: int = 10,
    n_errors: int = 25,
    info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Evaluate ``labeler`` on gold documents and write ``report.html``, ``metrics.json`` and the PNGs.

    Returns the metrics written to ``metrics.json``: what :func:`stance.evaluate` returns,
    plus ``calibration`` (ECE and reliability bins), ``worst_errors`` and ``figures``
    (the PNG files). ``info`` (e.g. ``{"gold": [...], "model": ...}``) is added as is.

    >>> write_report(stance.load(), stance.read_documents("gold.jsonl"), "report/")  # doctest: +SKIP
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise StanceError("E056", path=out)
    plt = pyplot()  # fail before the model runs when matplotlib is missing
    preds = predict(labeler, documents)
    metrics = score(documents, preds, labeler.schema, labeler.registry, n_bootstrap, seed)
    metrics.update(info or {})
    probs, outcomes = pair_scores(labeler, documents)
    raw, _ = pair_scores(labeler, documents, temperature=1.0)
    ece, rows = reliability(probs, outcomes, bins)
    metrics["calibration"] = {
        "n_predictions": int(len(outcomes)), "temperature": float(labeler.temperature), "ece": ece,
        "ece_without_temperature": reliability(raw, outcomes, bins)[0], "bins": rows,
    }
    errors = sentence_errors(documents, preds, labeler.registry)
    metrics["n_error_sentences"] = len(errors)
    metrics["worst_errors"] = errors[:n_errors]
    figures = {
        "per_label_f1": per_label_figure(metrics),
        "confusion": confusion_figure(metrics),
        "reliability": reliability_figure(rows, ece),
    }
    out.mkdir(parents=True, exist_ok=True)
    pngs = {}
    for name, fig in figures.items():
        pngs[name] = figure_png(fig)
        plt.close(fig)
        (out / f"{name}.png").write_bytes(pngs[name])
    metrics["figures"] = {name: f"{name}.png" for name in figures}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "report.html").write_text(report_html(metrics, pngs), encoding="utf-8")
    return metrics
