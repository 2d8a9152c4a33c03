"""Importing Label Studio, doccano and CSV exports (fixtures in tests/data/annotations)."""

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import stance
from stance.importers import ImportProblems, read_annotations, read_csv, read_doccano, read_label_studio

ROOT = Path(__file__).resolve().parents[1]

DATA = ROOT / "tests" / "data" / "annotations"
LS = DATA / "label_studio_export.json"


def claims_of(doc):
    return [[(c["actor"], c["mentions"], c["labels"]) for c in s["claims"]] for s in doc["sentences"]]


def problems(exc_info):
    return [str(e) for e in exc_info.value.errors]


def write_ls(tmp_path, tasks, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def test_label_studio_export_becomes_documents_in_sentence_order():
    docs = read_label_studio(LS)
    assert len(docs) == 1 and docs[0]["doc_id"] == "seed-001"
    seed = stance.read_documents(ROOT / "seeds" / "seed-001.jsonl")[0]["sentences"]
    # tasks come in any order; sentences follow sentence_index (3, 4, 5, 6, 8, 11, 16)
    assert [s["text"] for s in docs[0]["sentences"]] == [seed[i]["text"] for i in (3, 4, 5, 6, 8, 11, 16)]
    assert claims_of(docs[0]) == [
        [("Gustavo Petro", "Colombian President Gustavo Petro", ["sovereignty"])],
        [("United States", "the United States", ["pro_intervention"])],
        [("Gustavo Petro", "Petro", ["sovereignty"])],
        [("Gustavo Petro", "He", ["sovereignty", "drug_policy_reform"])],  # the region's actor box
        [],
        [("critics", None, ["sovereignty"])],  # the implicit box
        [("United States", "U.S.", ["pro_intervention"]), ("Gustavo Petro", "Petro", ["sovereignty"])],
    ]
    assert docs[0]["sentences"][3]["item"] == "task 4"


def test_doccano_export_resolves_aliases_and_pronouns():
    docs = read_doccano(DATA / "doccano_export.jsonl")
    assert claims_of(docs[0]) == [
        [("Gustavo Petro", "Petro", ["sovereignty"])],
        [("Gustavo Petro", "Petro", ["sovereignty"])],
        [("Gustavo Petro", "He", ["sovereignty", "drug_policy_reform"])],  # two spans on one mention, pronoun resolved
        [("Gustavo Petro", "Petro", ["drug_policy_reform"])],
        [],
    ]


def test_csv_rows_become_claims_ordered_by_sentence_id():
    docs = read_csv(DATA / "claims.csv")
    assert [d["doc_id"] for d in docs] == ["w-1", "w-2"]
    assert [s["item"] for s in docs[0]["sentences"]] == ["row 2", "row 3", "row 4", "row 5"]  # 1, 2, 3, 10 numerically
    assert claims_of(docs[0])[1] == [("United States", "Washington", ["pro_intervention"])]
    assert claims_of(docs[1]) == [[("Luiz Inácio Lula da Silva", "Lula", ["sovereignty"])]]


def test_imported_documents_are_valid_guide_jsonl(tmp_path):
    for name in ("label_studio_export.json", "doccano_export.jsonl", "claims.csv"):
        out = tmp_path / f"{name}.out.jsonl"
        stance.write_documents(read_annotations(DATA / name), out)
        assert stance.read_documents(out, stance.LabelSchema.from_disk(ROOT / "seeds" / "labels.json"))


def test_span_that_does_not_match_its_text(tmp_path):
    tasks = json.loads(LS.read_text())
    tasks[0]["annotations"][0]["result"][0]["value"]["start"] += 1  # one character off
    with pytest.raises(ImportProblems) as exc:
        read_label_studio(write_ls(tmp_path, tasks))
    assert exc.value.code == "E069"
    [message] = problems(exc)
    assert "E061" in message and "export.json" in message and "task 1, result 0" in message
    assert "'Colombian President Gustavo Petro'" in message


def test_doccano_span_cutting_a_word_or_out_of_range(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"id": 1, "text": "Petro warned Washington.", "label": [[1, 5, "sovereignty"], [10, 99, "sovereignty"]]}) + "\n")
    with pytest.raises(ImportProblems) as exc:
        read_doccano(path)
    messages = problems(exc)
    assert len(messages) == 2 and all("E061" in m and "d.jsonl, line 1 (id 1)" in m for m in messages)
    assert "cuts a word" in messages[0] and "outside the text" in messages[1]


def test_unknown_label_and_labels_override(tmp_path):
    tasks = json.loads(LS.read_text())
    tasks[1]["annotations"][0]["result"][0]["value"]["labels"] = ["pro_negotiation"]
    path = write_ls(tmp_path, tasks)
    with pytest.raises(ImportProblems) as exc:
        read_label_studio(path)
    [message] = problems(exc)
    assert "E062" in message and "task 2, result 0" in message and "pro_negotiation" in message
    # a schema that has the new label accepts it
    schema = stance.LabelSchema.from_disk(ROOT / "seeds" / "labels.json").extended(["pro_negotiation"])
    docs = read_label_studio(path, schema=schema)
    assert docs[0]["sentences"][1]["claims"][0]["labels"] == ["pro_negotiation"]


def test_empty_exports(tmp_path):
    for name, content in (("e.json", "[]"), ("e.jsonl", "\n"), ("e.csv", "doc_id,sentence_id,text,actor,labels\n")):
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(stance.StanceError) as exc:
            read_annotations(path)
        assert exc.value.code == "E060" and name in str(exc.value)


def test_duplicate_sentences(tmp_path):
    tasks = json.loads(LS.read_text())
    tasks.append(copy.deepcopy(tasks[2]) | {"id": 99})
    with pytest.raises(ImportProblems) as exc:
        read_label_studio(write_ls(tmp_path, tasks))
    [message] = problems(exc)
    assert "E063" in message and "task 99" in message and "first seen at task 3" in message

    lines = (DATA / "doccano_export.jsonl").read_text().splitlines()
    no_ids = [json.loads(line) for line in lines[:2]]
    for record in no_ids:
        del record["doc_id"], record["sentence_index"]
    no_ids.append(no_ids[0] | {"id": 7})
    path = tmp_path / "dup.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in no_ids) + "\n")
    with pytest.raises(ImportProblems) as exc:
        read_doccano(path)
    assert "E063" in problems(exc)[0] and "line 3 (id 7)" in problems(exc)[0]

    csv_path = tmp_path / "dup.csv"
    csv_path.write_text("doc_id,sentence_id,text,actor,labels\n"
                        "a,1,Petro warned Washington.,Gustavo Petro,sovereignty\n"
                        "a,1,Petro warned Washington again.,,\n"
                        "a,1,Petro warned Washington.,Petro,sovereignty\n")
    with pytest.raises(ImportProblems) as exc:
        read_csv(csv_path)
    messages = problems(exc)
    assert len(messages) == 2 and all("E063" in m for m in messages)
    assert "row 3" in messages[0] and "another text" in messages[0]
    assert "row 4" in messages[1] and "actor 'Gustavo Petro'" in messages[1]


def test_task_states_and_foreign_results_are_reported(tmp_path):
    tasks = json.loads(LS.read_text())
    tasks[0]["annotations"] = []  # not annotated
    tasks[1]["annotations"].append(copy.deepcopy(tasks[1]["annotations"][0]))  # two annotators
    tasks[2]["annotations"][0]["result"].append(
        {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": []})
    doccano_like = tmp_path / "pronoun.jsonl"
    doccano_like.write_text(json.dumps({"text": "They rejected it.", "label": [[0, 4, "sovereignty"]]}) + "\n")
    with pytest.raises(ImportProblems) as exc:
        read_label_studio(write_ls(tmp_path, tasks))
    messages = problems(exc)
    assert [m.split("]")[0] for m in messages] == ["[E067", "[E066", "[E064"]
    assert "task 1" in messages[0] and "task 2" in messages[1] and "'relation'" in messages[2]
    with pytest.raises(ImportProblems) as exc:
        read_doccano(doccano_like)
    assert "E065" in problems(exc)[0] and "'They'" in problems(exc)[0]


def test_label_studio_config_matches_the_schema_and_importer():
    root = ET.parse(ROOT / "training" / "label_studio.xml").getroot()
    schema = stance.LabelSchema.from_disk(ROOT / "seeds" / "labels.json")
    labels = root.find(".//Labels[@name='stance']")
    assert [label.get("value") for label in labels] == schema.names and labels.get("toName") == "text"
    assert root.find(".//TextArea[@name='actor']").get("perRegion") == "true"
    assert root.find(".//TextArea[@name='implicit']") is not None
    assert root.find(".//Text[@name='text']").get("value") == "$text"


def test_whole_document_task_is_split_into_sentences(tmp_path):
    text = "Petro warned against strikes. He called for elections in Venezuela."
    he, petro = text.index("He"), text.index("Petro")
    region = {"from_name": "stance", "to_name": "text", "type": "labels"}
    task = {"id": 5, "data": {"text": text}, "annotations": [{"result": [
        {**region, "id": "a", "value": {"start": petro, "end": petro + 5, "text": "Petro", "labels": ["sovereignty"]}},
        {**region, "id": "b", "value": {"start": he, "end": he + 2, "text": "He", "labels": ["sovereignty"]}},
    ]}]}
    docs = read_label_studio(write_ls(tmp_path, [task]))
    assert docs[0]["doc_id"] == "export:5" and len(docs[0]["sentences"]) == 2
    assert claims_of(docs[0]) == [[("Gustavo Petro", "Petro", ["sovereignty"])], [("Gustavo Petro", "He", ["sovereignty"])]]
    # a span across the sentence boundary, and an implicit claim with no sentence to go to
    task["annotations"][0]["result"] = [
        {**region, "id": "c", "value": {"start": petro, "end": he + 2, "text": text[petro : he + 2], "labels": ["sovereignty"]}},
        {"id": "i", "from_name": "implicit", "to_name": "text", "type": "textarea", "value": {"text": ["critics: sovereignty"]}},
    ]
    with pytest.raises(ImportProblems) as exc:
        read_label_studio(write_ls(tmp_path, [task]))
    messages = problems(exc)
    assert "crosses a sentence boundary" in messages[0] and "task 5, result 0" in messages[0]
    assert "needs a sentence task" in messages[1] and "task 5, result 1, implicit line 1" in messages[1]
