import json

import pytest

from stance.cli import main

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_explains_each_option(capsys):
    for command in ("label", "train", "eval"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert "--" in out and "default" in out


def test_label_seed_article(capsys, tmp_path):
    out_path = tmp_path / "labels.jsonl"
    code, _, err = run(capsys, "label", str(ROOT / "seeds" / "seed-001.txt"), "-o", str(out_path))
    assert code == 0 and "documents read 1, labelled 1, failed 0" in err
    records = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert len(records) == 17 and all(r["doc_id"] == "seed-001" for r in records)
    assert [r["index"] for r in records] == list(range(17))
    assert any(c["actor"] == "Gustavo Petro" for r in records for c in r["claims"])


def test_label_jsonl_and_csv_with_fields_and_bad_rows(capsys, tmp_path):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join([
        json.dumps({"doc": "a", "body": "Petro warned Washington against strikes.", "outlet": "X"}),
        "{broken",
        json.dumps({"doc": "c", "body": ""}),
        json.dumps({"doc": "d", "body": 5}),
        json.dumps({"doc": "e"}),
    ]) + "\n")
    out_path = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "label", str(jsonl), "-o", str(out_path), "--text-field", "body", "--id-field", "doc")
    assert code == 0 and "documents read 5, labelled 1, failed 4" in err
    records = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert records[0]["doc_id"] == "a" and records[0]["outlet"] == "X"
    errors = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert [e["line"] for e in errors] == [2, 3, 4, 5]
    assert "invalid JSON" in errors[0]["reason"] and "empty" in errors[1]["reason"]
    assert "missing field 'body'" in errors[3]["reason"]

    code, _, err = run(capsys, "label", str(jsonl), "-o", str(out_path), "--text-field", "body", "--on-error", "fail")
    assert code == 2 and "E013" in err and "line 2" in err

    csv_path = tmp_path / "in.csv"
    csv_path.write_text('id,text,date\nn1,"Sheinbaum rejected U.S. troops in Mexico.",2025-03-01\n')
    code, _, err = run(capsys, "label", str(csv_path), "-o", str(out_path))
    records = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert code == 0 and records[0]["doc_id"] == "n1" and records[0]["date"] == "2025-03-01"


def test_label_errors(capsys, tmp_path):
    code, _, err = run(capsys, "label", str(tmp_path / "missing.txt"))
    assert code == 2 and "E001" in err and "missing.txt" in err
    bad = tmp_path / "x.pdf"
    bad.write_text("x")
    code, _, err = run(capsys, "label", str(bad))
    assert code == 2 and "E010" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    code, _, err = run(capsys, "label", str(empty), "-o", str(tmp_path / "o.jsonl"))
    assert code == 0 and "failed 1" in err


def test_eval_json(capsys):
    code, out, _ = run(capsys, "eval", "--gold", str(ROOT / "seeds" / "seed-001.jsonl"), "--json", "--bootstrap", "20")
    result = json.loads(out)
    assert code == 0
    assert {"sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1", "per_label", "n_sentences"} <= set(result)


def test_eval_errors(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"sentences": [{"text": "A.", "claims": [{"actor": "X", "labels": ["nope"]}]}]}\n')
    code, _, err = run(capsys, "eval", "--gold", str(bad))
    assert code == 2 and "E006" in err and "nope" in err


def test_train_then_eval_and_load(capsys, tmp_path, tiny_base):
    import stance

    out_dir = tmp_path / "mine"
    code, _, err = run(capsys, "train", "--data", str(ROOT / "seeds" / "seed-001.jsonl"), "--out", str(out_dir),
                       "--epochs", "1", "--base", str(tiny_base))
    assert code == 0 and "saved model" in err
    code, out, _ = run(capsys, "eval", "--gold", str(ROOT / "seeds" / "seed-001.jsonl"), "--model", str(out_dir),
                       "--json", "--bootstrap", "10")
    assert code == 0 and json.loads(out)["model"] == str(out_dir)
    assert stance.load(out_dir).metadata["n_documents"] == 1


def test_label_folder_of_txt_and_undecodable_bytes(capsys, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Petro warned Washington against strikes.", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"Maduro \xff\xfe rejected it.")
    out_path = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "label", str(folder), "-o", str(out_path))
    assert code == 0 and "documents read 2, labelled 1, failed 1" in err
    assert {json.loads(line)["doc_id"] for line in out_path.read_text().splitlines()} == {"a"}
    errors = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert errors[0]["file"].endswith("b.txt") and "UTF-8" in errors[0]["reason"]


def test_label_claims_table_and_output_errors(capsys, tmp_path):
    out_path = tmp_path / "claims.csv"
    code, _, err = run(capsys, "label", str(ROOT / "seeds" / "seed-001.txt"), "-o", str(out_path), "--claims",
                       "--precision", "fp32")
    assert code == 0 and "documents read 1, labelled 1, failed 0" in err
    lines = out_path.read_text().splitlines()
    assert lines[0].startswith("doc_id,sentence,start,end,actor,") and len(lines) > 5
    assert any(",Gustavo Petro," in line for line in lines)
    code, _, err = run(capsys, "label", str(ROOT / "seeds" / "seed-001.txt"), "-o", str(tmp_path / "x.csv"))
    assert code == 2 and "E082" in err  # sentence records need .jsonl or .parquet
    code, _, err = run(capsys, "label", str(ROOT / "seeds" / "seed-001.txt"), "-o", str(tmp_path / "y.jsonl"), "--resume")
    assert code == 2 and "E083" in err


def test_an_output_in_a_missing_folder_is_a_coded_error(capsys, tmp_path):
    """Regression (issue 14): these raised a raw traceback (FileNotFoundError)."""
    missing = tmp_path / "no" / "such" / "folder"
    seed = str(ROOT / "seeds" / "seed-001.txt")
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    for argv in (["render", seed, "-o", str(missing / "page.html")],
                 ["suggest", seed, "-n", "2", "-o", str(missing / "tasks.json")],
                 ["label", seed, "-o", str(a_file / "labels.jsonl")]):  # a folder that cannot be made
        code, _, err = run(capsys, *argv)
        assert code == 2 and "E089" in err and "Traceback" not in err, argv
        assert str(missing if argv[0] != "label" else a_file) in err, argv
    # `stance label` makes the folders of its outputs, the errors file's too
    code, out, err = run(capsys, "label", seed, "--errors", str(missing / "errors.jsonl"))
    assert code == 0 and out.count("\n") > 10 and missing.is_dir()
