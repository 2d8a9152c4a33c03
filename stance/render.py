"""A labelled document as one self-contained HTML page: mentions highlighted, claims as tags.

The page has no script, no external font, stylesheet or image, and every piece of
input text goes through :func:`html.escape`, so any article is safe to open. Colours
follow the label schema's order (the same colours as the plots); hovering a mention or
a tag shows the actor's score for every label. The layout is one column at phone width.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from ._plots import label_colors
from .document import Claim, Doc, Sentence
from .schema import LabelSchema

__all__ = ["CSP", "render_html"]

# the page may load nothing and run nothing: only its own inline style and data: images
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #dadce0; --paper: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--paper); }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 1rem 0 .5rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .25rem; }
.legend { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem .75rem; }
.legend h2 { font-size: 1rem; margin: 0 0 .25rem; }
.legend ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; }
.definitions { margin-top: .35rem; font-size: .9rem; }
.definitions dt { font-weight: 600; }
.definitions dd { margin: 0 0 .35rem; color: var(--muted); }
.legend .hint { color: var(--muted); font-size: .9rem; margin: .25rem 0 0; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: .2rem; vertical-align: -.1rem;
          background: var(--c); margin-right: .35rem; }
.meta, .summary { color: var(--muted); font-size: .9rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
ol.sentences { list-style: none; margin: 0; padding: 0; }
.sentence { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: .25rem 1rem;
            padding: .35rem 0; border-top: 1px solid var(--line); }
.sentence.no-claims .text { color: var(--muted); }
.sentence.new-para { margin-top: .75rem; }
.text { margin: 0; overflow-wrap: anywhere; }
.index { color: var(--muted); font-size: .75rem; margin-right: .35rem; }
mark.mention { color: inherit; background: color-mix(in srgb, var(--c) 30%, transparent);
               border-bottom: 3px solid var(--c); border-radius: .15rem; padding: 0 .1rem; }
ul.claims { list-style: none; margin: 0; padding: 0; }
.claim { margin: 0 0 .3rem; overflow-wrap: anywhere; }
.actor { font-weight: 600; margin-right: .25rem; }
.tag { display: inline-block; border: 1px solid var(--c); border-left-width: .4rem; border-radius: .25rem;
       padding: 0 .35rem; margin: .1rem .2rem .1rem 0; font-size: .85rem; white-space: nowrap;
       background: color-mix(in srgb, var(--c) 12%, transparent); }
.score { font-variant-numeric: tabular-nums; color: var(--muted); }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  .sentence { grid-template-columns: minmax(0, 1fr); }
  ul.claims { padding-left: .75rem; }
}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(score: float | None) -> str:
    return "" if score is None else f"{score:.2f}"


def _scores_text(claim: Claim, names: Sequence[str]) -> str:
    order = [n for n in names if n in claim.scores] + [n for n in claim.scores if n not in names]
    return ", ".join(f"{n} {claim.scores[n]:.3f}" for n in order)


def _hover(claim: Claim, names: Sequence[str]) -> str:
    parts = [claim.actor + (f" ({claim.kind})" if claim.kind else "")]
    if claim.mention is not None:
        parts.append(f"mention: {claim.mention.text}")
    parts.append("labels: " + (", ".join(claim.labels) or "none"))
    if claim.scores:
        parts.append("scores: " + _scores_text(claim, names))
    return " | ".join(parts)


def _highlighted_text(sentence: Sentence, names: Sequence[str], classes: dict[str, str]) -> str:
    """Return the sentence text escaped, with each claim's mention wrapped in a <mark>."""
    marks: dict[tuple[int, int], list[Claim]] = {}
    for claim in sentence.claims:
        m = claim.mention
        if m is None:
            continue
        lo, hi = m.start - sentence.start, m.end - sentence.start
        # a span that does not index the sentence (hand-edited records) is left unmarked, not guessed
        if 0 <= lo < hi <= len(sentence.text) and sentence.text[lo:hi] == m.text:
            marks.setdefault((lo, hi), []).append(claim)
    out, pos = [], 0
    for (lo, hi), claims in sorted(marks.items()):
        if lo < pos:  # overlaps a mention already marked: its tag still shows the claim
            continue
        labels = list(dict.fromkeys(label for c in claims for label in c.labels))
        cls = classes.get(labels[0], "") if labels else ""
        out.append(_e(sentence.text[pos:lo]))
        out.append(
            f'<mark class="mention {cls}" data-actor="{_e("; ".join(c.actor for c in claims))}" '
            f'data-labels="{_e(" ".join(labels))}" title="{_e(" || ".join(_hover(c, names) for c in claims))}">'
            f"{_e(sentence.text[lo:hi])}</mark>"
        )
        pos = hi
    out.append(_e(sentence.text[pos:]))
    return "".join(out)


def _claim_item(claim: Claim, names: Sequence[str], classes: dict[str, str]) -> str:
    tags = "".join(
        f'<span class="tag {classes.get(label, "")}" data-label="{_e(label)}">{_e(label)}'
        + (f' <span class="score">{_fmt(claim.scores.get(label))}</span>' if label in claim.scores else "")
        + "</span>"
        for label in claim.labels
    )
    return (f'<li class="claim" data-actor="{_e(claim.actor)}" title="{_e(_hover(claim, names))}">'
            f'<span class="actor">{_e(claim.actor)}</span>{tags}</li>')


def _label_names(docs: Sequence[Doc], labels: Sequence[str] | LabelSchema | None) -> tuple[list[str], dict[str, str]]:
    """Return the label names in order and their definitions (empty without a schema)."""
    if isinstance(labels, LabelSchema):
        names, definitions = list(labels.names), {lab.name: lab.definition for lab in labels.labels}
    else:
        names, definitions = list(labels or []), {}
    # labels the documents use beyond the given ones; score keys keep the model's schema order
    for doc in docs:
        for claim in doc.claims:
            for name in [*claim.scores, *claim.labels]:
                if name not in names:
                    names.append(name)
    return names, definitions


def _document(doc: Doc, number: int, names: Sequence[str], classes: dict[str, str]) -> str:
    meta = doc.meta or {}
    heading = meta.get("title") or doc.doc_id or f"Document {number}"
    facts = [f"id {doc.doc_id}"] if doc.doc_id else []
    facts += [str(meta[k]) for k in ("outlet", "date", "author") if meta.get(k)]
    url = meta.get("url")
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        facts_html = " · ".join(_e(f) for f in facts)
        facts_html += (" · " if facts else "") + f'<a href="{_e(url)}" rel="noreferrer noopener">{_e(url)}</a>'
    else:
        facts_html = " · ".join(_e(f) for f in facts)
    counts = {n: 0 for n in names}
    for claim in doc.claims:
        for label in claim.labels:
            counts[label] = counts.get(label, 0) + 1
    summary = (f"{len(doc.sentences)} sentences, {len(doc.claims)} claims"
               + ("".join(f' <span class="tag {classes.get(n, "")}">{_e(n)} {c}</span>' for n, c in counts.items() if c)))
    items = []
    prev_end = None
    for sentence in doc.sentences:
        gap = doc.text[prev_end : sentence.start] if prev_end is not None else ""
        prev_end = sentence.end
        classes_s = ["sentence", "has-claims" if sentence.claims else "no-claims"]
        if "\n" in gap:
            classes_s.append("new-para")
        claims = "".join(_claim_item(c, names, classes) for c in sentence.claims)
        items.append(
            f'<li class="{" ".join(classes_s)}" id="{_e(f"d{number}-s{sentence.index}")}" data-index="{sentence.index}">'
            f'<p class="text"><span class="index">{sentence.index}</span>{_highlighted_text(sentence, names, classes)}</p>'
            + (f'<ul class="claims">{claims}</ul>' if claims else "")
            + "</li>"
        )
    return (f'<article class="doc" data-doc-id="{_e(doc.doc_id or "")}"><h2>{_e(heading)}</h2>'
            f'<p class="meta">{facts_html}</p><p class="summary">{summary}</p>'
            f'<ol class="sentences">{"".join(items)}</ol></article>')


def render_html(
    docs: Doc | Iterable[Doc],
    labels: Sequence[str] | LabelSchema | None = None,
    title: str | None = None,
) -> str:
    """Return one self-contained HTML page showing the documents' claims.

    Args:
        docs: a labelled :class:`~stance.Doc` or several (one ``<article>`` each).
        labels: the label schema (its order sets the colours, its definitions fill the
            legend) or label names; labels found in the documents are added after them.
        title: the page title (default: the document's title or id).

    >>> page = render_html(stance.load()("Petro warned against strikes."))   # doctest: +SKIP
    """
    docs = [docs] if isinstance(docs, Doc) else list(docs)
    names, definitions = _label_names(docs, labels)
    colors = label_colors(names)
    classes = {n: f"l{i}" for i, n in enumerate(names)}
    if title is None:
        first = docs[0] if docs else None
        title = (first.meta.get("title") or first.doc_id) if first is not None and len(docs) == 1 else None
        title = title or f"{len(docs)} labelled documents"
    css = _CSS + "".join(f".l{i} {{ --c: {colors[n]}; }}\n" for i, n in enumerate(names))
    legend = "".join(
        f'<li class="legend-item" data-label="{_e(n)}"><span class="swatch {classes[n]}"></span><b>{_e(n)}</b></li>'
        for n in names
    )
    if any(definitions.get(n) for n in names):
        legend_defs = "".join(f"<dt>{_e(n)}</dt><dd>{_e(definitions[n])}</dd>" for n in names if definitions.get(n))
        legend_defs = f'<details class="definitions"><summary>What the labels mean</summary><dl>{legend_defs}</dl></details>'
    else:
        legend_defs = ""
    articles = "".join(_document(doc, i, names, classes) for i, doc in enumerate(docs, 1))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{_e(title)}</title><style>{css}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><section class="legend" id="legend" aria-label="Legend"><h2>Stance labels</h2>'
        f"<ul>{legend}</ul>{legend_defs}"
        '<p class="hint">Highlighted: the mention of each actor that holds a stance in the sentence. '
        "Tags beside a sentence: the actor, its labels and their scores (0-1). "
        "Hover a mention or a tag for the actor's score on every label.</p></section></header>"
        f"<main>{articles}</main></body></html>\n"
    )
