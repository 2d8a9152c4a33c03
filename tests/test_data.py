import json

import pytest

import stance
from stance import StanceError
from stance.corpus import corpus_available, load_references


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
