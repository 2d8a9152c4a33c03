"""stance.active.suggest, Label Studio tasks, and the round trip back through stance import."""

import json
from pathlib import Path

import numpy as np
import pytest

import stance
from stance.active import suggest, to_label_studio, uncertainty
from stance.cli import main
from stance.importers import read_label_studio

ROOT = Path(__file__).resolve().parents[1]


def test_uncertainty_peaks_at_each_labels_threshold():
    thresholds = np.array([0.3, 0.7])
    u = uncertainty(np.array([[0.3, 0.0], [0.0, 0.7], [0.0, 1.0], [0.15, 0.0]]), thresholds)
    assert u.round(3).tolist() == [1.0, 1.0, 0.0, 0.5]


@pytest.fixture(scope="module")
def seed_picks(shipped, seed_text):
    # the corpus holds the seed article twice, and the seed itself repeats a sentence
    return suggest(shipped, [seed_text, seed_text], n=8, doc_ids=["a", "b"])


def test_suggest_picks_n_distinct_sentences_with_candidates(shipped, seed_picks, seed_text):
    assert len(seed_picks) == 8
    texts = [" ".join(p.text.split()) for p in seed_picks]
    assert len(set(texts)) == 8  # no copy picked twice, across documents or within one
    doc = shipped(seed_text)
    with_candidates = {s.text for s in doc.sentences if s.candidates}
    assert all(p.text in with_candidates for p in seed_picks)
    assert all(0.0 <= p.uncertainty <= 1.0 for p in seed_picks)


def test_suggest_without_diversity_ranks_by_uncertainty_and_honours_exclude(shipped, seed_text):
    ranked = suggest(shipped, [seed_text], n=4, diversity=False)
    assert [p.uncertainty for p in ranked] == sorted((p.uncertainty for p in ranked), reverse=True)
    again = suggest(shipped, [seed_text], n=4, diversity=False, exclude=[("0", ranked[0].index), ("0", ranked[1].text)])
    assert {ranked[0].index, ranked[1].index}.isdisjoint(p.index for p in again)


def test_round_trip_suggest_tasks_annotate_import(tmp_path, seed_picks):
    tasks = to_label_studio(seed_picks, model_version="test")
    assert all(t["data"]["doc_id"] in ("a", "b") and isinstance(t["data"]["sentence_index"], int) for t in tasks)
    predicted = [t for t in tasks if t["predictions"][0]["result"]]
    assert predicted, "the shipped model should pre-annotate some picks"
    for region in predicted[0]["predictions"][0]["result"]:
        value = region["value"]
        if region["type"] == "labels":
            assert predicted[0]["data"]["text"][value["start"] : value["end"]] == value["text"]
    # the annotator accepts the predictions, correcting one region's labels
    export = []
    for number, task in enumerate(tasks, 1):
        result = json.loads(json.dumps(task["predictions"][0]["result"]))
        export.append({"id": number, "data": task["data"], "predictions": task["predictions"],
                       "annotations": [{"id": 100 + number, "result": result, "was_cancelled": False,
                                        "ground_truth": False, "completed_by": 1}]})
    task, corrected = next((t, r) for t in export for r in t["annotations"][0]["result"] if r["type"] == "labels")
    corrected["value"]["labels"] = ["drug_policy_reform"]
    corrected_actor = next(r["value"]["text"][0] for r in task["annotations"][0]["result"]
                           if r["type"] == "textarea" and r["id"] == corrected["id"])
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    docs = read_label_studio(path)
    assert {d["doc_id"] for d in docs} <= {"a", "b"}
    for doc in docs:  # each document's sentences in their original order
        picked = sorted((p for p in seed_picks if p.doc_id == doc["doc_id"]), key=lambda p: p.index)
        assert [s["text"] for s in doc["sentences"]] == [p.text for p in picked]
    sentences = [s for d in docs for s in d["sentences"]]
    assert len(sentences) == len(seed_picks)
    by_text = {s["text"]: s for s in sentences}
    for pick in seed_picks:
        assert {c["actor"] for c in by_text[pick.text]["claims"]} == {c.actor for c in pick.claims}
    claims = by_text[task["data"]["text"]]["claims"]
    assert next(c for c in claims if c["actor"] == corrected_actor)["labels"] == ["drug_policy_reform"]
    out = tmp_path / "imported.jsonl"
    stance.write_documents(docs, out)
    assert stance.read_documents(out, stance.LabelSchema.from_disk(ROOT / "seeds" / "labels.json"))


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_suggest_then_import(capsys, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in [
        {"id": "n1", "text": (ROOT / "seeds" / "seed-001.txt").read_text(encoding="utf-8"), "outlet": "Rio"},
        {"id": "n2", "text": ""},
    ]) + "\n")
    tasks_path = tmp_path / "tasks.json"
    code, _, err = run(capsys, "suggest", corpus, "-n", 3, "-o", tasks_path)
    assert code == 0 and "wrote 3 tasks" in err and "line 2" in err
    tasks = json.loads(tasks_path.read_text())
    assert len(tasks) == 3 and all(t["data"]["doc_id"] == "n1" and t["data"]["outlet"] == "Rio" for t in tasks)
    export = [{"id": i, "data": t["data"], "annotations": [{"id": i, "result": t["predictions"][0]["result"]}]}
              for i, t in enumerate(tasks, 1)]
    export_path = tmp_path / "export.json"
    export_path.write_text(json.dumps(export))
    out = tmp_path / "imported.jsonl"
    code, _, err = run(capsys, "import", export_path, "-o", out)
    assert code == 0 and "imported 1 documents, 3 sentences" in err
    assert len(stance.read_documents(out)[0]["sentences"]) == 3
    # suggesting again without what was imported picks other sentences
    code, _, _ = run(capsys, "suggest", corpus, "-n", 3, "-o", tasks_path, "--exclude", out)
    assert code == 0
    assert {t["data"]["text"] for t in json.loads(tasks_path.read_text())}.isdisjoint(t["data"]["text"] for t in tasks)


def test_cli_import_lists_every_problem_and_writes_nothing(capsys, tmp_path):
    data = ROOT / "tests" / "data" / "annotations"
    bad = tmp_path / "bad.csv"
    bad.write_text("doc_id,sentence_id,text,actor,labels\n"
                   "a,1,Petro warned Washington.,Gustavo Petro,pro_war\n"
                   "a,2,Maduro answered.,Nicolás Maduro,\n")
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "import", data / "claims.csv", bad, data / "doccano_export.jsonl", "-o", out)
    assert code == 2 and not out.exists()
    assert "bad.csv, row 2: unknown label 'pro_war'" in err and "bad.csv, row 3" in err and "2 problem(s)" in err
    code, _, err = run(capsys, "import", data / "claims.csv", data / "label_studio_export.json", "-o", out,
                       "--labels", ROOT / "seeds" / "labels.json")
    assert code == 0 and "imported 3 documents" in err
    code, _, err = run(capsys, "import", tmp_path / "x.xml", "-o", out)
    assert code == 2 and "E068" in err


def test_cli_suggest_and_import_help(capsys):
    for command in ("suggest", "import"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        assert "default" in capsys.readouterr().out


def test_suggest_scores_the_pairs_labelling_scores(shipped):
    """Regression (issue 14): suggest built its pairs itself and skipped the window fitting that
    labelling does; a sentence longer than the window now gets the same claims in both."""
    long_sentence = ("Petro said the strikes violate Colombia's sovereignty, " + "and he repeated it, " * 70
                     + "while Rubio urged more strikes.")
    text = "Petro urged dialogue with Caracas. " + long_sentence
    doc = shipped(text)
    assert doc.sentences[1].truncated
    picks = suggest(shipped, [text], n=5, diversity=False)
    by_index = {p.index: p for p in picks}
    for sentence in doc.sentences:
        if sentence.index in by_index:
            got = [(c.actor, c.labels, round(c.scores[k], 5)) for c in by_index[sentence.index].claims for k in c.scores]
            want = [(c.actor, c.labels, round(c.scores[k], 5)) for c in sentence.claims for k in c.scores]
            assert got == want
    assert 1 in by_index
