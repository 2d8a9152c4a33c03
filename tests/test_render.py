"""Rendered articles (stance/render.py) and reading labelled records back (stance/records.py); issue 6."""

import html
import json
from html.parser import HTMLParser

import pytest

import stance
from stance.cli import main
from stance.records import docs_from_records, read_records
from stance.render import render_html

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]

HOSTILE = ('Colombian President Gustavo Petro warned against "foreign" military action <script>alert(1)</script> '
           "& strikes in Venezuela.\n\nMexican President Claudia Sheinbaum rejected U.S. troops in Mexico.")


class Elements(HTMLParser):
    """Every element of a page: (tag, attributes, text inside), and the page's visible text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        element = (tag, dict(attrs), [])
        self.elements.append(element)
        if tag not in ("meta", "br", "img", "link", "input"):
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element[2].append(data)

    def find(self, tag, cls=None):
        return [(a, "".join(t)) for name, a, t in self.elements
                if name == tag and (cls is None or cls in a.get("class", "").split())]


@pytest.fixture(scope="module")
def hostile_doc(shipped):
    return shipped(HOSTILE, doc_id='d"1<', meta={"title": "<i>Title</i>", "date": "2025-09-01",
                                                 "url": "javascript:alert(1)", "outlet": "O&O"})


def test_to_html_highlights_mentions_escapes_everything(hostile_doc, shipped):
    page = render_html(hostile_doc, shipped.schema)
    assert "<script" not in page and "javascript:" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "O&amp;O" in page
    dom = Elements(page)
    assert [t for _, t in dom.find("title")] == ["<i>Title</i>"]
    csp = [a["content"] for a, _ in dom.find("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]
    assert not any(a.get("src") or a.get("href") for tag, a, _ in dom.elements if tag not in ("a",))
    # every sentence's text reads back exactly, marks included
    sentences = dom.find("li", "sentence")
    assert len(sentences) == len(hostile_doc.sentences)
    texts = [t for _, t in dom.find("p", "text")]
    for sentence, text in zip(hostile_doc.sentences, texts):
        assert text == f"{sentence.index}{sentence.text}"
    # one mark per claim with a mention, on the mention's text, with the actor and labels
    marks = dom.find("mark", "mention")
    expected = [(c.actor, c.mention.text) for c in hostile_doc.claims if c.mention]
    assert expected and sorted((a["data-actor"], t) for a, t in marks) == sorted(expected)
    petro = next(a for a, _ in marks if a["data-actor"] == "Gustavo Petro")
    claim = next(c for c in hostile_doc.claims if c.actor == "Gustavo Petro")
    assert petro["data-labels"].split() == claim.labels
    assert all(f"{label} {claim.scores[label]:.3f}" in petro["title"] for label in shipped.schema.names)
    # tags: one per (claim, label), showing the score
    tags = [t for a, t in dom.find("span", "tag") if "data-label" in a]
    assert len(tags) == sum(len(c.labels) for c in hostile_doc.claims)
    assert f"{claim.labels[0]} {claim.scores[claim.labels[0]]:.2f}" in tags
    # legend: every schema label, in schema order, and the definitions
    assert [a["data-label"] for a, _ in dom.find("li", "legend-item")] == shipped.schema.names
    assert shipped.schema.labels[0].definition[:40] in html.unescape(page)
    # the paragraph break of the input starts a new paragraph
    assert "new-para" in sentences[1][0]["class"]


def test_records_round_trip_jsonl_and_parquet(hostile_doc, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = hostile_doc.to_records()
    jsonl = tmp_path / "labels.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    parquet = tmp_path / "labels.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    for path in (jsonl, parquet):
        (doc,) = docs_from_records(read_records(path))
        assert doc.doc_id == hostile_doc.doc_id and doc.meta["outlet"] == "O&O"
        assert [s.text for s in doc.sentences] == [s.text for s in hostile_doc.sentences]
        got = [(c.actor, c.labels, c.mention) for c in doc.claims]
        assert got == [(c.actor, c.labels, c.mention) for c in hostile_doc.claims]
        for claim, original in zip(doc.claims, hostile_doc.claims):  # spans still index the rebuilt text
            assert doc.text[claim.mention.start : claim.mention.end] == claim.mention.text
            assert claim.scores == pytest.approx({k: round(v, 4) for k, v in original.scores.items()})
        page = render_html(doc)
        assert len(Elements(page).find("mark", "mention")) == len([c for c in doc.claims if c.mention])


def test_gold_documents_render_too(seed_docs):
    records = read_records(ROOT / "seeds" / "seed-001.jsonl")
    (doc,) = docs_from_records(records)
    gold = seed_docs[0]
    assert len(doc.sentences) == len(gold["sentences"])
    assert [c.actor for c in doc.claims] == [c["actor"] for s in gold["sentences"] for c in s["claims"]]
    marks = Elements(render_html(doc)).find("mark", "mention")
    assert len(marks) == sum(1 for c in doc.claims if c.mention) > 0


def test_records_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = json.dumps({"doc_id": "a", "index": 0, "text": "x", "start": 0, "end": 1, "claims": []})
    cases = [
        ("{broken", "E002", "line 2"),
        (json.dumps({"doc_id": "a", "text": "x"}), "E051", "missing field 'claims'"),
        (json.dumps({"doc_id": "a", "text": "x", "claims": [{"labels": ["a"]}]}), "E051", "claims[0].actor"),
        (json.dumps({"doc_id": "a", "text": "x", "claims": [{"actor": "A", "labels": "a"}]}), "E051", "claims[0].labels"),
        (json.dumps({"doc_id": "a", "text": "x", "start": "0", "claims": []}), "E051", "'start' must be an integer"),
        (json.dumps({"doc_id": "a", "text": "x", "start": 0, "claims": {}}), "E051", "'claims' must be a list"),
    ]
    for line, code, where in cases:
        bad.write_text(good + "\n" + line + "\n")
        with pytest.raises(stance.StanceError) as exc:
            read_records(bad)
        assert exc.value.code == code and where in str(exc.value) and "bad.jsonl" in str(exc.value)
        if code == "E051":
            assert "line 2" in str(exc.value)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(stance.StanceError, match="E052"):
        read_records(empty)
    with pytest.raises(stance.StanceError, match="E054"):
        read_records(ROOT / "README.md")
    broken = tmp_path / "x.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(stance.StanceError, match=r"E053.*x\.parquet"):
        read_records(broken)
    with pytest.raises(stance.StanceError, match="E001"):
        read_records(tmp_path / "missing.jsonl")


def test_render_cli_txt_and_records(capsys, tmp_path, shipped, seed_text):
    page = tmp_path / "seed.html"
    assert main(["render", str(ROOT / "seeds" / "seed-001.txt"), "-o", str(page)]) == 0
    dom = Elements(page.read_text())
    assert len(dom.find("li", "sentence")) == 17 and dom.find("mark", "mention")
    assert [t for _, t in dom.find("title")] == ["seed-001"]

    records = tmp_path / "labels.jsonl"  # what 'stance label seeds/seed-001.txt' writes
    records.write_text("".join(json.dumps(r) + "\n" for r in shipped(seed_text, doc_id="seed-001").to_records()))
    page2 = tmp_path / "records.html"
    assert main(["render", str(records), "-o", str(page2), "--doc", "seed-001", "--title", "Seed <1>"]) == 0
    dom2 = Elements(page2.read_text())
    assert [t for _, t in dom2.find("title")] == ["Seed <1>"]
    assert sorted(a["data-actor"] for a, _ in dom2.find("mark", "mention")) == sorted(
        a["data-actor"] for a, _ in dom.find("mark", "mention"))
    capsys.readouterr()
    assert main(["render", str(records), "-o", str(page2), "--doc", "nope"]) == 2
    assert "E057" in capsys.readouterr().err
    unlabelled = tmp_path / "to_label.jsonl"  # documents to label, not records
    unlabelled.write_text(json.dumps({"id": "a", "text": "Petro spoke."}) + "\n")
    assert main(["render", str(unlabelled), "-o", str(page2)]) == 2
    err = capsys.readouterr().err
    assert "E051" in err and "to_label.jsonl, line 1" in err and "stance label" in err


def test_render_and_aggregate_help(capsys):
    for command in ("render", "aggregate"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert "--output" in out and "default" in out
