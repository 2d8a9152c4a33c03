"""eval/benchmarks.py: dataset adapters and a tiny run on rows written here in each dataset's format."""

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

import stance

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks"

_spec = importlib.util.spec_from_file_location("benchmarks", ROOT / "eval" / "benchmarks.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

# written for these tests, in the normalised formats of ../shared/benchmarks (see its READMEs)
SEMEVAL_ROWS = [
    ("Atheism", "Faith gives my life meaning every single day #TaskTag", "AGAINST"),
    ("Atheism", "No gods, no masters, just reason and evidence #TaskTag", "FAVOR"),
    ("Atheism", "Going to the beach this weekend with friends #TaskTag", "NONE"),
    ("Climate Change is a Real Concern", "We must cut emissions now before it is too late #TaskTag", "FAVOR"),
    ("Climate Change is a Real Concern", "The warming scare is a hoax invented for taxes #TaskTag", "AGAINST"),
    ("Climate Change is a Real Concern", "Lunch was great today #TaskTag", "NONE"),
]
NEWSMTSC_ROWS = [
    ("The senator praised Smith for her brave stand.", "Smith", "positive"),
    ("The senator praised Smith for her brave stand.", "The senator", "neutral"),
    ("Jones was accused of lying to investigators.", "Jones", "negative"),
    ("Brown met Brown's cousin at the airport.", "Brown", "neutral"),
    ("Brown met Brown's cousin at the airport.", "Brown", "positive"),
    ("Critics slammed Miller over the failed deal.", "Miller", "negative"),
    ("Garcia spoke to reporters on Tuesday.", "Garcia", "neutral"),
    ("Voters cheered Lee after the landslide win.", "Lee", "positive"),
]


def write_semeval(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name in ("train", "test"):
        with (folder / f"{name}.jsonl").open("w") as out:
            for i, (target, text, label) in enumerate(SEMEVAL_ROWS):
                out.write(json.dumps({"id": f"{name}{i}", "target": target, "text": text, "label": label, "origin": name}) + "\n")


def write_newsmtsc(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name in ("train", "devtest_rw", "rw_test"):
        with (folder / f"{name}.jsonl").open("w") as out:
            seen: dict[str, int] = {}
            for i, (text, target, label) in enumerate(NEWSMTSC_ROWS):
                start = text.find(target, seen.get(text + target, 0))
                seen[text + target] = start + 1
                out.write(json.dumps({"id": f"{name}{i}", "text": text, "target": target, "target_from": start,
                                      "target_to": start + len(target), "label": label}) + "\n")


def test_semeval_adapter(tmp_path):
    write_semeval(tmp_path / "semeval2016-task6")
    docs = bench.semeval_documents(tmp_path / "semeval2016-task6" / "train.jsonl")
    assert len(docs) == 6
    first, none = docs[0]["sentences"][0], docs[2]["sentences"][0]
    assert "#TaskTag" not in first["text"] and first["targets"] == ["Atheism"]
    assert first["claims"] == [{"actor": "Atheism", "mentions": None, "labels": ["AGAINST"]}]
    assert none["claims"] == []  # NONE is no claim
    # the official metric: mean F1 of FAVOR and AGAINST, NONE not scored but it counts against P and R
    score = bench.semeval_score(["FAVOR", "AGAINST", "NONE", "AGAINST"], ["FAVOR", "NONE", "NONE", "AGAINST"])
    assert score["f_favor"] == 1.0 and score["f_against"] == pytest.approx(2 / 3) and score["f_avg"] == pytest.approx(5 / 6)


def test_hashtags_spelled_as_words_and_thresholds_for_the_task_metric(tmp_path):
    assert bench.split_hashtags("Vote #StopTheTax2016 and #GOPDebate, not #prolife") == \
        "Vote #Stop The Tax 2016 and #GOP Debate, not #prolife"
    write_semeval(tmp_path / "semeval2016-task6")
    docs = bench.semeval_documents(tmp_path / "semeval2016-task6" / "train.jsonl", hashtags=True)
    assert all("#TaskTag" not in d["sentences"][0]["text"] for d in docs)  # the marker still goes first

    class Scored:  # FAVOR tweets score FAVOR 0.9, AGAINST ones AGAINST 0.7, NONE ones FAVOR 0.55
        schema = bench.semeval_schema()
        thresholds = {"FAVOR": 0.5, "AGAINST": 0.5}

        def pipe_sentences(self, texts, targets):
            from stance.document import Claim

            gold = {d["sentences"][0]["text"]: (d["sentences"][0]["claims"] or [{"labels": ["NONE"]}])[0]["labels"][0]
                    for d in docs}
            scores = {"FAVOR": {"FAVOR": 0.9, "AGAINST": 0.05}, "AGAINST": {"FAVOR": 0.1, "AGAINST": 0.7},
                      "NONE": {"FAVOR": 0.55, "AGAINST": 0.1}}
            for sents, targs in zip(texts, targets):
                s = scores[gold[sents[0]]]
                claims = [Claim(targs[0][0], [max(s, key=s.get)], s)] if max(s.values()) >= self.thresholds["FAVOR"] else []
                yield SimpleNamespace(sentences=[SimpleNamespace(claims=claims)])

    labeler = Scored()
    before, after = bench.tune_for_metric(labeler, docs, bench.semeval_score, "f_avg", "NONE")
    # at 0.5 the NONE tweets pass as FAVOR (F_avg 0.833); a FAVOR threshold above 0.55 gets them all right
    assert before == pytest.approx((2 / 3 + 1) / 2) and after == 1.0 and 0.55 < labeler.thresholds["FAVOR"] <= 0.9


def test_newsmtsc_adapter(tmp_path):
    write_newsmtsc(tmp_path / "newsmtsc")
    docs = bench.newsmtsc_documents(tmp_path / "newsmtsc" / "train.jsonl")
    first = docs[0]["sentences"][0]
    assert [t["actor"] for t in first["targets"]] == ["Smith", "The senator"]
    assert first["claims"] == [{"actor": "Smith", "mentions": "Smith", "labels": ["positive"]}]  # neutral is no claim
    # two targets with the same mention string go to separate documents, each marked at its own offset
    browns = [d["sentences"][0]["targets"][0] for d in docs if d["sentences"][0]["text"].startswith("Brown")]
    assert [t["start"] for t in browns] == [0, 10]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "Ann left.", "target": "Ann", "target_from": 1, "target_to": 4,
                               "label": "neutral"}) + "\n")
    with pytest.raises(stance.StanceError) as err:
        bench.newsmtsc_documents(bad)
    assert err.value.code == "E074" and "line 1" in str(err.value)


def write_annotations(folder: Path) -> None:
    """The organisers' all-annotations files (tab-separated, with a header) for the train rows."""
    sentiments = ["POSITIVE", "NEGATIVE", "NEITHER", "POSITIVE", "NEGATIVE", "NEITHER"]
    (folder / "data-all-annotations").mkdir()
    header = "ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment\r\n"
    rows = "".join(f"train{i}\t{t}\t{x}\t{lab}\tTARGET\t{sent}\r\n"
                   for i, ((t, x, lab), sent) in enumerate(zip(SEMEVAL_ROWS, sentiments)))
    (folder / "data-all-annotations" / "trainingdata-all-annotations.txt").write_text(header + rows, encoding="cp1252")
    (folder / "data-all-annotations" / "trialdata-all-annotations.txt").write_text(header, encoding="cp1252")


def test_auxiliary_pairs_from_the_train_annotations(tmp_path):
    write_semeval(tmp_path / "semeval2016-task6")
    write_annotations(tmp_path / "semeval2016-task6")
    docs = bench.semeval_documents(tmp_path / "semeval2016-task6" / "train.jsonl")
    aux = bench.auxiliary("semeval", {"aux": "sentiment"}, tmp_path)(docs)
    first, third = aux[0]["sentences"][0], aux[2]["sentences"][0]
    assert first["targets"] == ["Atheism", bench.SENTIMENT_ACTOR]
    assert first["claims"][1] == {"actor": bench.SENTIMENT_ACTOR, "mentions": None, "labels": ["FAVOR"]}  # POSITIVE
    assert aux[1]["sentences"][0]["claims"][1]["labels"] == ["AGAINST"]  # NEGATIVE
    assert third["targets"][1] == bench.SENTIMENT_ACTOR and third["claims"] == []  # NEITHER: no claim
    assert docs[0]["sentences"][0]["targets"] == ["Atheism"]  # the input documents are not changed
    with pytest.raises(stance.StanceError, match="tweet 'unknown' has no sentiment") as err:
        bench.semeval_sentiment_pairs([{**docs[0], "doc_id": "unknown"}], bench.semeval_sentiments(tmp_path / "semeval2016-task6"))
    assert err.value.code == "E076"

    write_newsmtsc(tmp_path / "newsmtsc")
    raw = tmp_path / "newsmtsc" / "NewsMTSC-dataset"
    raw.mkdir()
    text = "The senator praised Smith for her brave stand."
    her = text.index("her")
    raw_row = {"sentence_normalized": text, "primary_gid": "g", "targets": [
        {"Input.gid": "g", "from": 20, "to": 25, "mention": "Smith", "polarity": 6.0,
         "further_mentions": [{"from": her, "to": her + 3, "mention": "her"}]},
        {"Input.gid": "h", "from": 0, "to": 11, "mention": "The senator", "polarity": 4.0}]}
    (raw / "train.jsonl").write_text(json.dumps(raw_row) + "\n" + json.dumps(raw_row) + "\n")  # a repeated sentence
    docs = bench.newsmtsc_documents(tmp_path / "newsmtsc" / "train.jsonl")
    aux = bench.auxiliary("newsmtsc", {"aux": "coref"}, tmp_path)(docs)
    assert aux[: len(docs)] == docs and len(aux) == len(docs) + 1  # one document per coreferent mention
    added = aux[-1]["sentences"][0]
    assert added["targets"] == [{"actor": "Smith", "mentions": "her", "start": her}]
    assert added["claims"] == [{"actor": "Smith", "mentions": "her", "labels": ["positive"]}]
    raw_row["targets"][0]["further_mentions"][0]["from"] += 1
    (raw / "train.jsonl").write_text(json.dumps(raw_row) + "\n")
    with pytest.raises(stance.StanceError, match="further mention"):
        bench.newsmtsc_coreferences(raw / "train.jsonl")
    with pytest.raises(stance.StanceError, match="auxiliary pairs 'coref' are not for semeval") as err:
        bench.auxiliary("semeval", {"aux": "coref"}, tmp_path)
    assert err.value.code == "E077"
    # given for a run of both, --aux applies to its own dataset only
    args = bench.build_parser().parse_args(["--aux", "coref"])
    assert bench.task_settings("newsmtsc", args)["aux"] == "coref" and bench.task_settings("semeval", args)["aux"] is None


def test_tiny_benchmark_run_through_the_library(tmp_path, capsys):
    write_semeval(tmp_path / "semeval2016-task6")
    write_newsmtsc(tmp_path / "newsmtsc")
    code = bench.main(["--data-dir", str(tmp_path), "--semeval-epochs", "1", "--newsmtsc-epochs", "1",
                       "--dev-fraction", "0.34", "--ensemble", "2", "--json", "-q", "--save", str(tmp_path / "models")])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert 0 <= result["semeval2016"]["test"]["test"]["f_avg"] <= 1 and result["semeval2016"]["test"]["test"]["n"] == 6
    assert {"devtest_rw", "rw_test"} == set(result["newsmtsc"]["test"])
    assert result["newsmtsc"]["test"]["devtest_rw"]["n"] == len(NEWSMTSC_ROWS)
    assert result["newsmtsc"]["dev_documents"] >= 1 and result["published"]["semeval2016"]
    # two models per task, seeds 13 and 14, on one dev split; saved and loaded as one ensemble
    assert result["semeval2016"]["settings"]["ensemble"] == 2 and len(result["semeval2016"]["history"]) == 2
    saved = stance.load(tmp_path / "models" / "semeval2016")
    assert isinstance(saved, stance.Ensemble) and [m.metadata["seed"] for m in saved.members] == [13, 14]
    assert saved.schema.names == ["FAVOR", "AGAINST"] and saved.config.multi_label is False
    assert bench.main(["--data-dir", str(tmp_path / "absent")]) == 2
    assert "E073" in capsys.readouterr().err


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/benchmarks is absent: the real-data check is skipped")
def test_real_benchmark_files_convert_with_the_published_counts():
    train = bench.semeval_documents(SHARED / "semeval2016-task6" / "train.jsonl")
    test = bench.semeval_documents(SHARED / "semeval2016-task6" / "test.jsonl")
    assert (len(train), len(test)) == (2914, 1249)
    for name, n in (("train", 8739), ("devtest_rw", 1146), ("rw_test", 803)):
        docs = bench.newsmtsc_documents(SHARED / "newsmtsc" / f"{name}.jsonl")
        assert sum(len(d["sentences"][0]["targets"]) for d in docs) == n


def test_benchmark_run_on_another_base_with_the_encoder_frozen(tmp_path, capsys, tiny_base):
    write_semeval(tmp_path / "semeval2016-task6")
    code = bench.main(["--data-dir", str(tmp_path), "--only", "semeval", "--semeval-epochs", "2", "--ensemble", "1",
                       "--dev-fraction", "0.34", "--base", str(tiny_base), "--design", "shared", "--frozen-encoder",
                       "--json", "-q", "--save", str(tmp_path / "models")])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["semeval2016"]["settings"]["base"] == str(tiny_base)
    saved = stance.load(tmp_path / "models" / "semeval2016")
    assert saved.config.frozen_encoder is True and saved.metadata["base_model"] == str(tiny_base)


def test_the_configuration_search_takes_every_benchmark_setting(tmp_path):
    """eval/benchmark_search.py reads each key of HYPER from its own options: one it lacks fails
    before any data is read; with all of them it gets as far as the (absent) data."""
    spec = importlib.util.spec_from_file_location("benchmark_search", ROOT / "eval" / "benchmark_search.py")
    search = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(search)
    with pytest.raises(stance.StanceError) as err:
        search.main(["--task", "semeval", "--name", "probe", "--data-dir", str(tmp_path), "--out", str(tmp_path / "r.json"),
                     "--base", "mpnet", "--design", "shared", "--frozen-encoder"])
    assert err.value.code == "E001"
