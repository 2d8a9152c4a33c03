"""Teacher scores of unlabelled articles, stored as references, and a student trained on them."""

import json

import pytest
import torch

import stance
from stance.distillation import teacher_references, write_teacher_references
from stance.pairs import gold_pairs

ARTICLES = [
    {"id": "a1", "title": "Petro warns against strikes",
     "text": "Gustavo Petro warned against foreign military action in Venezuela. "
             "He said no government had the right to bomb its neighbours. Markets were calm."},
    {"id": "a2", "title": "Sanctions announced",
     "text": "The United States announced new sanctions on Caracas. Nicolás Maduro called them an aggression."},
    {"id": "a3", "title": "Weather", "text": "It rained in Lima on Monday."},
]


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "written_corpus"
    folder.mkdir()
    (folder / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    return folder


def test_teacher_references_hold_scores_not_text_and_rebuild_the_teacher_s_pairs(tiny_model_dir, corpus, tmp_path,
                                                                                   schema):
    teacher = stance.load(tiny_model_dir, precision="fp32")
    out = tmp_path / "teacher.jsonl"
    assert write_teacher_references(teacher, out, corpus, exclude=["a3"]) == 2
    raw = out.read_text(encoding="utf-8")
    assert "military action" not in raw and "Petro warned" not in raw  # references only
    lines = [json.loads(x) for x in raw.splitlines()]
    assert {x["article_id"] for x in lines} == {"a1", "a2"}
    scored = [t for x in lines for s in x["sentences"] for t in s["targets"]]
    assert scored and all(set(t["scores"]) == set(schema.names) for t in scored)
    # read back as training documents, the pairs are the teacher's and their targets its scores
    docs = stance.read_documents(out, schema, corpus=corpus)
    pairs = gold_pairs(docs, teacher.finder, teacher.encoder, schema)
    assert len(pairs.texts) == len(scored)
    expected = teacher.score_pairs(pairs.texts)
    assert torch.allclose(torch.tensor(pairs.targets), expected, atol=1e-4)
    sources = {t["source"] for t in scored}
    assert set(pairs.sources) == sources  # how the teacher found each candidate is kept
    # a changed corpus is caught by the hashes, not silently misaligned
    changed = [dict(a, text=a["text"].replace("warned", "cautioned")) for a in ARTICLES]
    (corpus / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in changed), encoding="utf-8")
    with pytest.raises(stance.StanceError) as err:
        stance.read_documents(out, schema, corpus=corpus)
    assert err.value.code == "E042"


def test_a_student_trains_on_gold_and_teacher_references(tiny_model_dir, corpus, tmp_path, seed_docs, schema,
                                                         registry, tiny_base):
    teacher = stance.load(tiny_model_dir, precision="fp32")
    refs = list(teacher_references(teacher, ["a1", "a2"], corpus))
    path = tmp_path / "teacher.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in refs), encoding="utf-8")
    soft = stance.read_documents(path, schema, corpus=corpus)
    student = stance.train(seed_docs + soft, schema=schema, registry=registry, epochs=1, seed=3, base=str(tiny_base))
    gold_only = stance.train(seed_docs, schema=schema, registry=registry, epochs=1, seed=3, base=str(tiny_base))
    assert student.metadata["n_pairs"] > gold_only.metadata["n_pairs"]


def test_bad_teacher_scores_name_the_file_line_and_target(tmp_path, schema):
    doc = {"doc_id": "x", "sentences": [{"text": "Petro spoke.", "claims": [],
                                         "targets": [{"actor": "Gustavo Petro", "mentions": "Petro",
                                                      "scores": {"sovereignty": 1.7}}]}]}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    with pytest.raises(stance.StanceError) as err:
        stance.read_documents(path, schema)
    assert err.value.code == "E070" and "bad.jsonl" in str(err.value) and "scores" in str(err.value)
