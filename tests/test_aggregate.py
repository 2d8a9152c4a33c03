"""Corpus aggregates and networks (stance/aggregate.py, stance aggregate) on texts written for the tests; issue 6."""

import json
from collections import Counter

import networkx as nx
import pandas as pd
import pytest

import stance
from stance.aggregate import (
    actor_label_table,
    congruence_network,
    heatmap_figure,
    over_time,
    over_time_figure,
    statements,
    time_bin,
    top_actors,
    two_mode_network,
    write_aggregates,
)
from stance.cli import main

# written for these tests; dates span about three months, one document has no usable date
CORPUS = [
    ("n1", "2025-09-02", "Colombian President Gustavo Petro warned against any foreign military action in Venezuela. "
                         "He called for free elections and dialogue."),
    ("n2", "2025-09-20", "President Donald Trump ordered new strikes on boats near Venezuela. "
                         "Petro said the strikes violate Latin American sovereignty."),
    ("n3", "2025-10-15", "Mexican President Claudia Sheinbaum rejected U.S. troops in Mexico. "
                         "Trump said the cartels must be hit hard by the military."),
    ("n4", "2025-11-30", "Petro urged legalizing cocaine to undercut the cartels. "
                         "Sheinbaum called for dialogue instead of force."),
    ("n5", "someday", "Secretary of State Marco Rubio backed the bounty on Nicolás Maduro."),
]


@pytest.fixture(scope="module")
def records(shipped):
    docs = shipped.pipe([t for *_, t in CORPUS], doc_ids=[i for i, *_ in CORPUS],
                        metas=[{"date": d, "outlet": "Test Daily"} for _, d, _ in CORPUS])
    out = [r for doc in docs for r in doc.to_records()]
    assert sum(len(r["claims"]) for r in out) >= 6, "the shipped model should find claims in the test corpus"
    return out


def _expected_counts(records):
    return Counter((c["actor"], label) for r in records for c in r["claims"] for label in c["labels"])


def test_statements_are_dna_shaped(records):
    stmts = statements(records)
    expected = _expected_counts(records)
    assert len(stmts) == sum(expected.values())
    assert list(stmts.columns[:9]) == ["statement_id", "document", "date", "date_raw", "actor", "actor_kind", "label",
                                       "agreement", "score"]
    assert (stmts["agreement"] == 1).all() and "outlet" in stmts.columns
    assert stmts.loc[stmts["document"] == "n5", "date"].isna().all()
    assert stmts.loc[stmts["document"] == "n1", "date"].eq(pd.Timestamp("2025-09-02")).all()
    for row in stmts.itertuples():  # offsets point at the sentence and the mention in it
        assert row.start <= row.mention_start < row.mention_end <= row.end
    assert stmts.attrs["labels"] == ["pro_intervention", "sovereignty", "drug_policy_reform"]


def test_actor_label_table_and_top_actors(records):
    stmts = statements(records)
    table = actor_label_table(stmts)
    expected = _expected_counts(records)
    labels = stmts.attrs["labels"]
    for (actor, label), n in expected.items():
        assert table.loc[actor, label] == n
    assert table["total"].tolist() == sorted(table["total"], reverse=True)
    shares = table[[f"{lab}_share" for lab in labels]].sum(axis=1)
    assert shares.to_numpy() == pytest.approx(1.0, abs=1e-3)
    top = top_actors(stmts, n=1)
    for label in labels:
        counts = {a: n for (a, lab), n in expected.items() if lab == label}
        rows = top[top["label"] == label]
        if counts:
            assert rows["statements"].iloc[0] == max(counts.values())
            assert rows["share_of_label"].iloc[0] == pytest.approx(max(counts.values()) / sum(counts.values()), abs=1e-4)


def test_time_bins_weekly_or_monthly(records):
    stmts = statements(records)
    assert time_bin(stmts["date"]) == "week"
    series = over_time(stmts)
    assert series.attrs["freq"] == "week"
    weeks = sorted(series["period"].unique())
    assert len(weeks) == (pd.Timestamp("2025-11-30") - pd.Timestamp("2025-09-01")).days // 7 + 1  # every week, gaps too
    assert all(pd.Timestamp(w).weekday() == 0 for w in weeks)
    dated = stmts.dropna(subset=["date"])
    assert series["statements"].sum() == len(dated)
    year = pd.Series(pd.to_datetime(["2025-01-03", "2025-12-20"]))
    assert time_bin(year) == "month"
    monthly = over_time(stmts, freq="month")
    assert sorted(str(p) for p in monthly["period"].unique()) == ["2025-09-01", "2025-10-01", "2025-11-01"]


def test_networks(records):
    stmts = statements(records)
    expected = _expected_counts(records)
    two = two_mode_network(stmts)
    assert {d["type"] for _, d in two.nodes(data=True)} == {"actor", "label"}
    assert nx.is_bipartite(two)
    for (actor, label), n in expected.items():
        assert two.edges[f"actor:{actor}", f"label:{label}"]["weight"] == n
    assert two.number_of_edges() == len(expected)

    cong = congruence_network(stmts)
    held: dict[str, set[str]] = {}
    for actor, label in expected:
        held.setdefault(actor, set()).add(label)
    pairs = {(a, b): held[a] & held[b] for a in held for b in held if a < b and held[a] & held[b]}
    assert {tuple(sorted(e)) for e in cong.edges} == set(pairs)
    for (a, b), shared in pairs.items():
        assert cong.edges[a, b]["weight"] == len(shared)
        assert set(cong.edges[a, b]["labels"].split(";")) == shared
    assert set(cong.nodes) == set(held)


def test_figures_show_what_they_say(records):
    stmts = statements(records)
    labels = stmts.attrs["labels"]
    table = actor_label_table(stmts)
    fig = heatmap_figure(table, labels, top=3)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("label", "actor") and "Actor x label" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    assert [t.get_text() for t in ax.get_yticklabels()] == list(table.index[:3])
    assert [t.get_text() for t in ax.texts] == [str(int(table.iloc[i][lab])) for i in range(3) for lab in labels]

    series = over_time(stmts)
    actors = list(table.index[:2])
    fig = over_time_figure(series, actors, labels)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == actors
    assert "weekly" in fig._suptitle.get_text()
    for ax, actor in zip(shown, actors):
        assert ax.get_ylabel() == "statements" and ax.get_xlabel() == "week starting"
        assert [line.get_label() for line in ax.get_lines()] == labels
        total = sum(sum(line.get_ydata()) for line in ax.get_lines())
        assert total == len(stmts[(stmts["actor"] == actor) & stmts["date"].notna()])


def _aggregate_jsonl(capsys, tmp_path, records):
    """Write the records as JSONL and run `stance aggregate` on them; return (input, folder, stderr)."""
    jsonl = tmp_path / "labels.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "views"
    assert main(["aggregate", str(jsonl), "-o", str(out)]) == 0
    return jsonl, out, capsys.readouterr().err


def test_aggregate_cli_jsonl_and_parquet(capsys, tmp_path, records):
    import pyarrow as pa
    import pyarrow.parquet as pq

    jsonl, out, err = _aggregate_jsonl(capsys, tmp_path, records)
    assert "weekly bins" in err and "'someday'" in err
    for name in ("statements.csv", "actor_labels.csv", "actor_labels.png", "top_actors.csv", "actor_label.graphml",
                 "actor_congruence.graphml", "stance_over_time.csv", "stance_over_time.png"):
        assert (out / name).stat().st_size > 100, name
    assert (out / "actor_labels.png").read_bytes()[:4] == b"\x89PNG"
    table = pd.read_csv(out / "actor_labels.csv", index_col="actor")
    for (actor, label), n in _expected_counts(records).items():
        assert table.loc[actor, label] == n
    graph = nx.read_graphml(out / "actor_label.graphml")
    assert sum(d["weight"] for *_, d in graph.edges(data=True)) == sum(_expected_counts(records).values())
    dna = pd.read_csv(out / "statements.csv")
    assert len(dna) == len(statements(records)) and dna["date"].isna().sum() == (dna["document"] == "n5").sum()

    parquet = tmp_path / "labels.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    out2 = tmp_path / "views2"
    assert main(["aggregate", str(parquet), "-o", str(out2)]) == 0
    capsys.readouterr()
    assert (out2 / "actor_labels.csv").read_text() == (out / "actor_labels.csv").read_text()
    assert (out2 / "statements.csv").read_text() == (out / "statements.csv").read_text()


def test_aggregate_without_dates_and_bad_output(capsys, tmp_path, records):
    undated = [{k: v for k, v in r.items() if k != "date"} for r in records]
    summary = write_aggregates(undated, tmp_path / "v")
    assert "time_bin" not in summary and not (tmp_path / "v" / "stance_over_time.png").exists()
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(stance.StanceError, match="E056"):
        write_aggregates(records, afile)


def _claim_table(records):
    """Rows shaped like ``stance label --claims`` output: one per claim, flat, ``score_<label>`` columns."""
    rows = []
    for r in records:
        for c in r["claims"]:
            span = c["mention_span"] or [None, None]
            rows.append({"doc_id": r["doc_id"], "date": r["date"], "outlet": r["outlet"], "sentence": r["index"],
                         "start": r["start"], "end": r["end"], "actor": c["actor"], "kind": c["kind"],
                         "mention": c["mentions"], "mention_start": span[0], "mention_end": span[1],
                         "labels": c["labels"], **{f"score_{k}": v for k, v in c["scores"].items()}, "text": r["text"]})
    return rows


def test_claims_table_reads_like_records(tmp_path, records):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from stance.records import read_records

    rows = _claim_table(records)
    jsonl = tmp_path / "claims.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    parquet = tmp_path / "claims.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    expected = statements(records).drop(columns=["statement_id"])
    for path in (jsonl, parquet):
        got = read_records(path)
        assert len(got) == sum(1 for r in records if r["claims"])  # one record per sentence with claims
        frame = statements(got).drop(columns=["statement_id"])
        pd.testing.assert_frame_equal(frame[expected.columns], expected, check_dtype=False)


def test_aggregate_without_matplotlib_writes_the_tables_and_skips_the_plots(capsys, tmp_path, records, monkeypatch):
    """Regression (issue 18): on a plain install `stance aggregate` stopped with "plots need matplotlib"."""
    import stance.aggregate

    def no_matplotlib():
        raise stance.StanceError("E050")

    monkeypatch.setattr(stance.aggregate, "pyplot", no_matplotlib)
    jsonl, out, err = _aggregate_jsonl(capsys, tmp_path, records)
    assert "pip install 'stance[viz]'" in err and "actor_labels.png" in err
    for name in ("statements.csv", "actor_labels.csv", "top_actors.csv", "actor_label.graphml",
                 "actor_congruence.graphml", "stance_over_time.csv"):
        assert (out / name).stat().st_size > 100, name
    assert not (out / "actor_labels.png").exists() and not (out / "stance_over_time.png").exists()
