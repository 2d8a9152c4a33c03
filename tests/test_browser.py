"""Pages as a user sees them: the rendered article and the evaluation report in headless Chromium (issue 6).

Skipped, with the reason, where Chromium is not installed or cannot start (see the
``chromium`` fixture in conftest.py; .ci/run installs Debian's package).
"""

import json
import re

import numpy as np
import pytest

from stance.render import render_html

ARTICLE = ("Colombian President Gustavo Petro warned against foreign military action <b>in</b> Venezuela.\n\n"
           "President Donald Trump ordered new strikes on boats near Venezuela & said more would follow.")


def not_blank(png_path) -> None:
    from matplotlib.image import imread

    pixels = imread(png_path)[..., :3]
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    ink = (pixels.min(axis=2) < 0.9).mean()  # share of pixels that are not (near) white
    assert ink > 0.01, f"screenshot {png_path} is blank ({ink:.4f} of pixels inked)"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 16  # text, highlights and swatches, not one colour


def test_console_check_catches_errors(chromium, tmp_path):
    """The checks below can fail: a page with a script error or a blocked load is reported."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="img-src data:">'
                    "</head><body><p>x</p><img src='http://127.0.0.1:9/x.png'>"
                    "<script>console.error('boom'); null.f();</script></body></html>")
    seen = chromium.open(page, 400, 300).console
    assert any("boom" in m for m in seen) and any("Uncaught" in m for m in seen)
    assert any("Content Security Policy" in m for m in seen)


@pytest.mark.parametrize("width,height", [(1280, 1000), (390, 844)])
def test_rendered_article_in_chromium(chromium, shipped, tmp_path, width, height):
    doc = shipped(ARTICLE, doc_id="a1", meta={"date": "2025-09-02"})
    path = tmp_path / "article.html"
    path.write_text(render_html(doc, shipped.schema), encoding="utf-8")
    page = chromium.open(path, width, height)
    assert page.console == [], page.console
    # the DOM Chromium built: one highlighted mention per claim with a mention, the legend, escaped markup as text
    marks = re.findall(r'<mark class="mention[^"]*" data-actor="([^"]+)"', page.dom)
    assert sorted(marks) == sorted(c.actor for c in doc.claims if c.mention) and "Gustavo Petro" in marks
    legend = re.findall(r'<li class="legend-item" data-label="([^"]+)"', page.dom)
    assert legend == shipped.schema.names
    assert "&lt;b&gt;in&lt;/b&gt;" in page.dom and "<b>in</b>" not in page.dom
    not_blank(page.screenshot)


def test_report_in_chromium(chromium, report_dir):
    out = report_dir
    page = chromium.open(out / "report.html", 1000, 2400)
    assert page.console == [], page.console
    metrics = json.loads((out / "metrics.json").read_text())
    assert len(re.findall(r'<img src="data:image/png;base64,', page.dom)) == 3
    assert re.findall(r'<tr data-label="([^"]+)"', page.dom) == list(metrics["per_label"])
    assert len(re.findall(r'<li class="error"', page.dom)) == len(metrics["worst_errors"])
    not_blank(page.screenshot)
