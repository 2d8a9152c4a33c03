import json

import pytest

import stance
from stance import StanceError
from stance.corpus import corpus_available, load_references

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def write(tmp_path, lines, name="gold.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def doc(sentences, **extra):
    return json.dumps({"doc_id": "d1", "sentences": sentences, **extra})


def test_seed_gold_is_complete(seed_docs, seed_text, schema):
    (gold,) = seed_docs
    assert gold["source"] == "seed"
    texts = [s["text"] for s in gold["sentences"]]
    assert texts == [s.text for s in stance.sentences.split_sentences(seed_text)]
    claims = [c for s in gold["sentences"] for c in s["claims"]]
    assert {label for c in claims for label in c["labels"]} == set(schema.names)
    for s in gold["sentences"]:
        assert seed_text[s["start"] : s["end"]] == s["text"]
        for c in s["claims"]:
            assert c["mentions"] is None or c["mentions"] in s["text"]


def test_extra_fields_are_ignored(tmp_path, schema):
    path = write(tmp_path, [doc([{"text": "A.", "claims": [], "note": 1}], source="x", weird={"a": 1})])
    assert stance.read_documents(path, schema)[0]["weird"] == {"a": 1}


@pytest.mark.parametrize(
    "lines, code, where",
    [
        (["{not json"], "E002", "line 1"),
        ([doc([{"text": "A.", "claims": []}]), '{"doc_id": "x"}'], "E003", "line 2"),
        ([doc([])], "E005", "line 1"),
        ([doc([{"text": "A.", "claims": [{"actor": "X", "labels": ["pro_war"]}]}])], "E006", "pro_war"),
        ([doc([{"text": 3}])], "E004", "sentences[0].text"),
        ([doc([{"text": "A.", "claims": [{"actor": "X"}]}])], "E003", "claims[0].labels"),
        ([""], "E007", "empty file"),
    ],
)
def test_bad_gold_files_name_file_line_and_field(tmp_path, schema, lines, code, where):
    path = write(tmp_path, lines)
    with pytest.raises(StanceError) as err:
        stance.read_documents(path, schema)
    assert err.value.code == code
    assert where in str(err.value) and str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(StanceError) as err:
        stance.read_documents(tmp_path / "nope.jsonl")
    assert err.value.code == "E001"


needs_corpus = pytest.mark.skipif(not corpus_available(), reason="real-news corpus absent: ../shared/corpora/allsides_latam")


@needs_corpus
def test_references_resolve_and_detect_changes(tmp_path):
    from stance.corpus import DEFAULT_CORPUS

    ref_path = stance.corpus.Path(__file__).resolve().parents[1] / "training" / "data" / "allsides_dev.jsonl"
    docs = stance.read_documents(ref_path)
    assert docs and all(s["text"] for d in docs for s in d["sentences"])
    line = json.loads(ref_path.read_text(encoding="utf-8").splitlines()[0])
    line["sentences"][1]["sha1"] = "0" * 40
    bad = write(tmp_path, [json.dumps(line)], "refs.jsonl")
    with pytest.raises(StanceError) as err:
        load_references(bad, DEFAULT_CORPUS)
    assert err.value.code == "E042" and "sentence 1" in str(err.value)


def test_references_without_corpus_fail_loudly(tmp_path):
    ref = {"doc_id": "a", "article_id": "x", "sentences": [{"field": "text", "start": 0, "end": 1, "sha1": "0", "claims": []}]}
    path = write(tmp_path, [json.dumps(ref)], "refs.jsonl")
    with pytest.raises(StanceError) as err:
        stance.read_documents(path, corpus=tmp_path / "nowhere")
    assert err.value.code == "E040"


def _written_corpus(folder, name: str) -> tuple:
    """A corpus of one written article, and a reference file into it (no real text)."""
    from stance.corpus import sentence_sha1

    text = "Minister Ana Ortiz rejected the strikes. She called for talks."
    (folder / name).mkdir()
    (folder / name / "articles.jsonl").write_text(json.dumps({"id": "w1", "title": "Talks", "text": text}) + "\n",
                                                  encoding="utf-8")
    ref = {"doc_id": f"{name}:w1", "corpus": name, "article_id": "w1",
           "sentences": [{"field": "text", "start": 0, "end": 40, "sha1": sentence_sha1(text[:40]),
                          "claims": [{"actor": "Ana Ortiz", "mentions": "Ana Ortiz", "labels": ["sovereignty"]}]}]}
    return write(folder, [json.dumps(ref)], f"{name}-refs.jsonl"), text


def test_references_name_their_corpus_and_each_resolves_from_its_own_folder(tmp_path, monkeypatch):
    """A reference line's "corpus" picks the folder: $STANCE_CORPORA/<name>, or $STANCE_CORPUS_<NAME> for one."""
    refs, text = _written_corpus(tmp_path, "pool_b")
    monkeypatch.setenv("STANCE_CORPORA", str(tmp_path))
    docs = stance.read_documents(refs)
    assert docs[0]["sentences"][0]["text"] == text[:40] and docs[0]["doc_id"] == "pool_b:w1"
    elsewhere = tmp_path / "moved"
    elsewhere.mkdir()
    (tmp_path / "pool_b").rename(elsewhere / "pool_b")
    with pytest.raises(StanceError) as err:
        stance.read_documents(refs)
    assert err.value.code == "E040" and "pool_b" in str(err.value)
    monkeypatch.setenv("STANCE_CORPUS_POOL_B", str(elsewhere / "pool_b"))
    assert stance.read_documents(refs)[0]["sentences"][0]["claims"][0]["actor"] == "Ana Ortiz"


MORE = ROOT / "training" / "data" / "allsides_more_train.jsonl"
needs_more = pytest.mark.skipif(not corpus_available("allsides_more"),
                                reason="second real-news corpus absent: ../shared/corpora/allsides_more (or $STANCE_CORPORA)")


@needs_corpus
@needs_more
def test_the_repository_s_references_resolve_on_both_corpora():
    schema = stance.LabelSchema.from_disk(ROOT / "seeds" / "labels.json")
    sentences = {}  # (corpus, article) -> sentences, each article counted once over its passes
    for path in sorted((ROOT / "training" / "data").glob("allsides_*.jsonl")) + sorted((ROOT / "eval" / "data").glob("*.jsonl")):
        docs = stance.read_documents(path, schema)  # checks every hash and label
        refs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for ref, doc in zip(refs, docs, strict=True):
            sentences[ref.get("corpus", "allsides_latam"), ref["article_id"]] = len(doc["sentences"])
    counts = {c: sum(n for (corpus, _), n in sentences.items() if corpus == c) for c in ("allsides_latam", "allsides_more")}
    assert counts.get("allsides_latam", 0) > 2500 and counts.get("allsides_more", 0) > 7500
