"""Corpus views of labelled records: who holds which stance, how often, when, and with whom.

From the per-sentence records of ``stance label`` (see :mod:`stance.records`) it builds

- the statements: one row per (sentence, actor, label), shaped like a Discourse Network
  Analyzer export (document, date, actor, label, agreement, sentence, offsets);
- an actor x label table of counts and shares, and its heatmap;
- stance over time per actor, in weekly or monthly bins chosen from the span of dates;
- the top actors per label;
- the actor-label two-mode network and the actor-actor congruence network (actors tied
  by the labels they share), as GraphML for Gephi, visone or networkx.

A claim always asserts its labels, so ``agreement`` is 1 for every statement: the label
schema has no "rejects" qualifier. Counting unit: a statement, i.e. an actor holding a
label in one sentence.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ._plots import label_colors, pyplot
from .errors import StanceError
from .records import SENTENCE_FIELDS

__all__ = [
    "actor_label_table",
    "congruence_network",
    "heatmap_figure",
    "over_time",
    "over_time_figure",
    "statements",
    "time_bin",
    "top_actors",
    "two_mode_network",
    "write_aggregates",
]

# a span of dates up to this long is binned by week, a longer one by month
WEEKLY_MAX_DAYS = 183


def _label_names(records: Sequence[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for record in records:
        for claim in record["claims"]:
            for name in [*claim.get("scores", {}), *claim["labels"]]:
                if name not in names:
                    names.append(name)
    return names


def statements(records: Iterable[dict[str, Any]], date_field: str = "date") -> pd.DataFrame:
    """Return one row per (sentence, actor, label): the DNA-shaped statement table.

    Columns: ``statement_id``, ``document``, ``date`` (parsed; NaT where missing or not
    a date), ``actor``, ``actor_kind``, ``label``, ``agreement``, ``score``,
    ``sentence_index``, ``sentence``, ``start``, ``end`` (the sentence in the document),
    ``mention``, ``mention_start``, ``mention_end``, then the input's other fields
    (``date_raw`` keeps the date as given).
    """
    records = list(records)
    rows = []
    for record in records:
        extra = {k: v for k, v in record.items() if k not in SENTENCE_FIELDS and k not in ("doc_id", "_line", date_field)}
        for claim in record["claims"]:
            span = claim.get("mention_span") or [None, None]
            for label in claim["labels"]:
                rows.append({
                    "document": record.get("doc_id"),
                    "date_raw": record.get(date_field),
                    "actor": claim["actor"],
                    "actor_kind": claim.get("kind"),
                    "label": label,
                    "agreement": 1,
                    "score": claim.get("scores", {}).get(label),
                    "sentence_index": record.get("index"),
                    "sentence": record["text"],
                    "start": record.get("start"),
                    "end": record.get("end"),
                    "mention": claim.get("mentions"),
                    "mention_start": span[0],
                    "mention_end": span[1],
                    **{k: v for k, v in extra.items() if not isinstance(v, (dict, list))},
                })
    columns = ["document", "date_raw", "actor", "actor_kind", "label", "agreement", "score", "sentence_index",
               "sentence", "start", "end", "mention", "mention_start", "mention_end"]
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys(columns + [k for r in rows for k in r])))
    dates = pd.to_datetime(frame["date_raw"].astype("string"), errors="coerce", utc=True, format="ISO8601")
    frame.insert(1, "date", dates.dt.tz_localize(None))
    frame.insert(0, "statement_id", range(1, len(frame) + 1))
    frame.attrs["labels"] = _label_names(records)
    return frame


def actor_label_table(stmts: pd.DataFrame, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Return actors x labels: statement counts, ``total``, and each label's share of the actor's statements.

    Rows are sorted by ``total``, most statements first; share columns are ``<label>_share``.
    """
    labels = list(labels or stmts.attrs.get("labels") or sorted(stmts["label"].unique()))
    counts = pd.crosstab(stmts["actor"], stmts["label"]).reindex(columns=labels, fill_value=0)
    counts.columns.name = None
    table = counts.copy()
    table["total"] = counts.sum(axis=1)
    for label in labels:
        table[f"{label}_share"] = (counts[label] / table["total"]).round(4)
    table = table.sort_values(["total", *labels], ascending=False, kind="stable")
    table.index.name = "actor"
    return table


def top_actors(stmts: pd.DataFrame, n: int = 10, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the ``n`` actors with the most statements of each label, with their share of that label."""
    labels = list(labels or stmts.attrs.get("labels") or sorted(stmts["label"].unique()))
    rows = []
    for label in labels:
        counts = stmts.loc[stmts["label"] == label, "actor"].value_counts()
        counts = counts.sort_index().sort_values(ascending=False, kind="stable")
        total = int(counts.sum())
        for rank, (actor, count) in enumerate(counts.head(n).items(), 1):
            rows.append({"label": label, "rank": rank, "actor": actor, "statements": int(count),
                         "share_of_label": round(count / total, 4)})
    return pd.DataFrame(rows, columns=["label", "rank", "actor", "statements", "share_of_label"])


def time_bin(dates: pd.Series) -> str:
    """Return ``"week"`` when the dates span at most about six months, else ``"month"``."""
    dates = dates.dropna()
    if dates.empty:
        return "week"
    return "week" if (dates.max() - dates.min()).days <= WEEKLY_MAX_DAYS else "month"


def over_time(stmts: pd.DataFrame, freq: str | None = None, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Return statements per (period, actor, label) for dated statements, every period filled in.

    ``freq`` is ``"week"`` (weeks starting Monday) or ``"month"``; by default :func:`time_bin`
    picks it. Columns: ``period`` (its first day), ``actor``, ``label``, ``statements``.
    """
    labels = list(labels or stmts.attrs.get("labels") or sorted(stmts["label"].unique()))
    dated = stmts.dropna(subset=["date"])
    columns = ["period", "actor", "label", "statements"]
    if dated.empty:
        return pd.DataFrame(columns=columns)
    freq = freq or time_bin(dated["date"])
    code = {"week": "W-SUN", "month": "M"}[freq]
    periods = dated["date"].dt.to_period(code)
    full = pd.period_range(periods.min(), periods.max(), freq=code)
    counts = dated.assign(period=periods).groupby(["period", "actor", "label"]).size()
    index = pd.MultiIndex.from_product([full, sorted(dated["actor"].unique()), labels], names=["period", "actor", "label"])
    counts = counts.reindex(index, fill_value=0).rename("statements").reset_index()
    counts["period"] = counts["period"].dt.start_time.dt.date
    counts.attrs["freq"] = freq
    return counts[columns]


def _grid(n: int) -> tuple[int, int]:
    cols = 1 if n == 1 else 2
    return math.ceil(n / cols), cols


def over_time_figure(series: pd.DataFrame, actors: Sequence[str], labels: Sequence[str], freq: str | None = None) -> Any:
    """Return one line chart per actor: statements of each label per period (``freq``: week or month)."""
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    colors = label_colors(labels)
    nrows, ncols = _grid(len(actors))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 2.8 * nrows + 0.6), squeeze=False, sharex=True)
    freq = freq or series.attrs.get("freq", "week")
    for ax, actor in zip(axes.flat, actors):
        mine = series[series["actor"] == actor]
        for label in labels:
            line = mine[mine["label"] == label]
            ax.plot(pd.to_datetime(line["period"]), line["statements"], marker="o", markersize=3, label=label,
                    color=colors[label])
        ax.set_title(actor)
        ax.set_ylabel("statements")
        ax.set_xlabel("week starting" if freq == "week" else "month")
        ax.tick_params(axis="x", labelrotation=30)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in list(axes.flat)[len(actors):]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="upper left", fontsize=8)
    fig.suptitle(f"Stance over time per actor ({'weekly' if freq == 'week' else 'monthly'})")
    fig.tight_layout()
    return fig


def heatmap_figure(table: pd.DataFrame, labels: Sequence[str], top: int = 25) -> Any:
    """Return a heatmap of the ``top`` actors' label shares, each cell annotated with its count."""
    plt = pyplot()
    rows = table.head(top)
    shares = rows[[f"{label}_share" for label in labels]].to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(1.6 * len(labels) + 3.5, 0.38 * len(rows) + 1.8))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i, actor in enumerate(rows.index):
        for j, label in enumerate(labels):
            ax.text(j, i, str(int(rows.loc[actor, label])), ha="center", va="center", fontsize=8,
                    color="white" if shares[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
    ax.set_yticks(range(len(rows)), [str(a) for a in rows.index])
    ax.set_xlabel("label")
    ax.set_ylabel("actor")
    ax.set_title(f"Actor x label: share of each actor's statements (top {len(rows)} actors; cells: counts)")
    fig.colorbar(image, ax=ax, label="share of the actor's statements")
    fig.tight_layout()
    return fig


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    """GraphML takes str, int, float and bool only: None becomes an empty string."""
    return {k: ("" if v is None else v) for k, v in attrs.items()}


def _actor_nodes(stmts: pd.DataFrame) -> dict[str, dict[str, Any]]:
    nodes = {}
    for actor, group in stmts.groupby("actor", sort=True):
        kinds = group["actor_kind"].dropna()
        nodes[actor] = {"label": actor, "type": "actor", "kind": str(kinds.mode().iloc[0]) if not kinds.empty else "",
                        "statements": len(group), "documents": int(group["document"].nunique())}
    return nodes


def two_mode_network(stmts: pd.DataFrame, labels: Sequence[str] | None = None) -> Any:
    """Return the actor-label graph (networkx): an edge per actor and label it holds, weighted by statements.

    Node ids are ``actor:<name>`` and ``label:<name>``; attributes ``label`` (the name, which
    Gephi shows), ``type`` and ``bipartite`` (0 actors, 1 labels).
    """
    import networkx as nx

    labels = list(labels or stmts.attrs.get("labels") or sorted(stmts["label"].unique()))
    graph = nx.Graph(name="actor-label two-mode network")
    for actor, attrs in _actor_nodes(stmts).items():
        graph.add_node(f"actor:{actor}", **_clean(attrs), bipartite=0)
    for label in labels:
        graph.add_node(f"label:{label}", label=label, type="label", bipartite=1,
                       statements=int((stmts["label"] == label).sum()))
    for (actor, label), group in stmts.groupby(["actor", "label"], sort=True):
        graph.add_edge(f"actor:{actor}", f"label:{label}", weight=len(group), agreement=1,
                       documents=int(group["document"].nunique()))
    return graph


def congruence_network(stmts: pd.DataFrame, min_statements: int = 1) -> Any:
    """Return the actor-actor congruence graph (networkx): actors tied by the labels they share.

    Two actors are tied when both hold at least one same label (with the same agreement);
    ``weight`` is the number of labels they share, ``statements`` the sum over those labels
    of the smaller of their two counts, ``labels`` the shared labels joined by ``;``.
    Actors with fewer than ``min_statements`` statements are left out.
    """
    import networkx as nx

    nodes = {a: attrs for a, attrs in _actor_nodes(stmts).items() if attrs["statements"] >= min_statements}
    graph = nx.Graph(name="actor congruence network")
    for actor, attrs in nodes.items():
        graph.add_node(actor, **_clean(attrs))
    counts = stmts[stmts["actor"].isin(nodes)].groupby(["label", "actor"]).size()
    for label in counts.index.get_level_values("label").unique():
        holders = counts.loc[label]
        actors = sorted(holders.index)
        for i, a in enumerate(actors):
            for b in actors[i + 1 :]:
                shared = min(int(holders[a]), int(holders[b]))
                if graph.has_edge(a, b):
                    edge = graph.edges[a, b]
                    edge["weight"] += 1
                    edge["statements"] += shared
                    edge["labels"] += f";{label}"
                else:
                    graph.add_edge(a, b, weight=1, statements=shared, labels=str(label))
    return graph


def write_aggregates(
    records: Sequence[dict[str, Any]],
    out_dir: str | os.PathLike[str],
    top: int = 25,
    top_per_label: int = 10,
    date_field: str = "date",
    min_statements: int = 1,
) -> dict[str, Any]:
    """Write every corpus view of ``records`` into ``out_dir`` and return a summary.

    Files: ``statements.csv``, ``actor_labels.csv``, ``actor_labels.png``, ``top_actors.csv``,
    ``actor_label.graphml``, ``actor_congruence.graphml`` and, when documents carry dates,
    ``stance_over_time.csv`` and ``stance_over_time.png``. Without matplotlib (a plain install)
    the PNGs are skipped and listed in the summary's ``skipped_plots``; the rest is written.

    >>> from stance.records import read_records                          # doctest: +SKIP
    >>> write_aggregates(read_records("labels.jsonl"), "views/")          # doctest: +SKIP
    """
    import networkx as nx

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise StanceError("E056", path=out)
    try:
        plt = pyplot()
    except StanceError:  # a plain install has no matplotlib: the tables and networks are written anyway
        plt = None
    stmts = statements(records, date_field)
    labels = stmts.attrs["labels"]
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    skipped: list[str] = []

    def save_csv(frame: pd.DataFrame, name: str, index: bool = False) -> None:
        frame.to_csv(out / name, index=index)
        files.append(name)

    def save_fig(make: Any, name: str) -> None:
        if plt is None:
            skipped.append(name)
            return
        fig = make()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        files.append(name)

    save_csv(stmts.assign(date=stmts["date"].dt.strftime("%Y-%m-%d")), "statements.csv")
    table = actor_label_table(stmts, labels)
    save_csv(table, "actor_labels.csv", index=True)
    if len(table):
        save_fig(lambda: heatmap_figure(table, labels, top), "actor_labels.png")
    save_csv(top_actors(stmts, top_per_label, labels), "top_actors.csv")
    nx.write_graphml(two_mode_network(stmts, labels), out / "actor_label.graphml")
    files.append("actor_label.graphml")
    congruence = congruence_network(stmts, min_statements)
    nx.write_graphml(congruence, out / "actor_congruence.graphml")
    files.append("actor_congruence.graphml")
    undated = stmts["date"].isna()
    bad_dates = stmts.loc[undated & stmts["date_raw"].notna(), "date_raw"]
    summary: dict[str, Any] = {
        "records": len(records), "documents": len({r.get("doc_id") for r in records}), "statements": len(stmts),
        "actors": len(table), "labels": labels, "undated_statements": int(undated.sum()),
        "unparsed_dates": sorted({str(d) for d in bad_dates})[:5], "congruence_ties": congruence.number_of_edges(),
    }
    series = over_time(stmts, labels=labels)
    if len(series):
        summary["time_bin"] = series.attrs["freq"]
        save_csv(series, "stance_over_time.csv")
        dated = series.groupby("actor")["statements"].sum()
        actors = [a for a in table.index if dated.get(a, 0) > 0][:6]  # the most active actors that have dates
        save_fig(lambda: over_time_figure(series, actors, labels, series.attrs["freq"]), "stance_over_time.png")
    summary["files"] = files
    summary["skipped_plots"] = skipped
    return summary
