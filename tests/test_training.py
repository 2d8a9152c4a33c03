"""Training options: --from, dev split, early stopping, the training log, single-label schemas, given targets."""

import dataclasses
import json

import pytest
import torch
from safetensors.torch import load_file

import stance
from stance.cli import main
from stance.splits import split_dev

PAIR = [("Gustavo Petro", "« Petro » called for dialogue with the opposition.")]

# written for these tests: a target's stance toward a policy, one label per target (FAVOR / AGAINST / none)
_SENTENCES = [
    ("The mayor praised the new bike lanes as a gift to the city.", "bike lanes", "FAVOR"),
    ("Residents said the bike lanes were a waste of money.", "bike lanes", "AGAINST"),
    ("The council will vote on the bike lanes next week.", "bike lanes", None),
    ("Shop owners welcomed the bike lanes and asked for more.", "bike lanes", "FAVOR"),
    ("Drivers called the bike lanes a disaster for traffic.", "bike lanes", "AGAINST"),
    ("Teachers backed the school meals plan with enthusiasm.", "school meals", "FAVOR"),
    ("Critics attacked the school meals plan as too costly.", "school meals", "AGAINST"),
    ("The school meals plan was published on Monday.", "school meals", None),
    ("Parents cheered the school meals plan at the meeting.", "school meals", "FAVOR"),
    ("The union condemned the school meals plan outright.", "school meals", "AGAINST"),
]


def targeted_documents(mentioned: bool) -> list[dict]:
    """One document per sentence; the target is marked in the text, or given with no mention."""
    docs = []
    for i, (text, target, label) in enumerate(_SENTENCES):
        given = {"actor": target, "mentions": target} if mentioned else target
        claims = [{"actor": target, "mentions": target if mentioned else None, "labels": [label]}] if label else []
        docs.append({"doc_id": f"t{i}", "sentences": [{"text": text, "targets": [given], "claims": claims}]})
    return docs


def single_label_schema() -> stance.LabelSchema:
    return stance.LabelSchema([stance.Label("FAVOR"), stance.Label("AGAINST")], name="policy", multi_label=False)


def write_policy_files(folder):
    """Write the targeted documents (twice over) and the single-label schema; return their paths."""
    data, schema_path = folder / "policy.jsonl", folder / "schema.json"
    stance.write_documents(targeted_documents(mentioned=True) * 2, data)
    single_label_schema().to_disk(schema_path)
    return data, schema_path


def test_from_model_loads_adapters_and_head_and_extends_the_schema(tiny_model_dir, seed_docs):
    docs = json.loads(json.dumps(seed_docs))
    for sentence in docs[0]["sentences"]:
        for claim in sentence["claims"]:
            if "dialogue" in sentence["text"] or "Gamble" in sentence["text"]:
                claim["labels"].append("pro_negotiation")
    old = load_file(str(tiny_model_dir / "weights.safetensors"))
    old_names = stance.load(tiny_model_dir).schema.names
    # no epoch: the network is exactly the saved one, plus a fresh head row for the new label
    start = stance.train(docs, from_model=tiny_model_dir, epochs=0, seed=5)
    assert start.schema.names == [*old_names, "pro_negotiation"]
    assert start.metadata["from_model"] == str(tiny_model_dir) and start.metadata["from_labels"] == old_names
    new = start._weights
    assert all(torch.equal(new[k], old[k]) for k in old if k.startswith("lora."))
    assert torch.equal(new["head.weight"][:3], old["head.weight"]) and torch.equal(new["head.bias"][:3], old["head.bias"])
    assert new["head.weight"].shape[0] == 4 and new["head.weight"][3].abs().sum() > 0
    # training continues from there; the same seed gives the same model
    a = stance.train(docs, from_model=tiny_model_dir, epochs=1, seed=5)
    b = stance.train(docs, from_model=stance.load(tiny_model_dir), epochs=1, seed=5)
    assert a.score_pairs(PAIR).shape == (1, 4)
    assert torch.equal(a.score_pairs(PAIR), b.score_pairs(PAIR))
    assert not torch.equal(a._weights["head.weight"][:3], old["head.weight"])


def test_from_model_refuses_another_kind_of_schema(tiny_model_dir, seed_docs):
    with pytest.raises(stance.StanceError) as err:
        stance.train(seed_docs, from_model=tiny_model_dir, schema=single_label_schema(), epochs=0)
    assert err.value.code == "E071" and "multi-label" in str(err.value)
    with pytest.raises(stance.StanceError) as err:
        stance.train(seed_docs, from_model=tiny_model_dir.parent / "absent", epochs=0)
    assert err.value.code == "E030"


def test_dev_split_is_seeded_and_by_document():
    docs = [{"doc_id": str(i), "sentences": [{"text": f"S{i}."}]} for i in range(20)]
    train_a, dev_a = split_dev(docs, 0.25, seed=1)
    train_b, dev_b = split_dev(docs, 0.25, seed=1)
    assert [d["doc_id"] for d in dev_a] == [d["doc_id"] for d in dev_b] and len(dev_a) == 5
    assert not {d["doc_id"] for d in dev_a} & {d["doc_id"] for d in train_a} and len(train_a) == 15
    assert [d["doc_id"] for d in split_dev(docs, 0.25, seed=2)[1]] != [d["doc_id"] for d in dev_a]
    for fraction in (0.0, 1.0):
        with pytest.raises(stance.StanceError) as err:
            split_dev(docs, fraction, seed=1)
        assert err.value.code == "E072"


def test_early_stopping_on_dev_macro_f1(seed_docs, schema, registry, tiny_base):
    # with a zero learning rate the dev score never improves after epoch 1, so patience 1 stops at epoch 2
    labeler = stance.train(seed_docs, schema=schema, registry=registry, dev_documents=seed_docs, epochs=5, lr=0.0,
                           patience=1, seed=3, base=str(tiny_base))
    assert labeler.metadata["stopped_early_at"] == 2 and len(labeler.metadata["history"]) == 2
    assert labeler.metadata["best_epoch"] == 1
    with pytest.raises(stance.StanceError) as err:
        stance.train(seed_docs, schema=schema, registry=registry, epochs=1, patience=1)
    assert err.value.code == "E072"


def test_single_label_schema_with_given_targets_end_to_end(capsys, tmp_path):
    (data, schema_path), out_dir = write_policy_files(tmp_path), tmp_path / "policy-model"
    code = main(["train", "--data", str(data), "--schema", str(schema_path), "--out", str(out_dir), "--epochs", "3",
                 "--dev-fraction", "0.25", "--patience", "2", "--seed", "4", "--quiet"])
    _, err = capsys.readouterr()
    assert code == 0 and "saved model" in err
    labeler = stance.load(out_dir)
    assert labeler.config.multi_label is False and labeler.schema.multi_label is False
    assert labeler.metadata["dev_split"] == {"fraction": 0.25, "seed": 4, "documents": 5}
    # the training log: one line per epoch with loss, dev metrics and time
    log = [json.loads(line) for line in (out_dir / "training_log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in log] == list(range(1, len(log) + 1)) and 1 <= len(log) <= 3
    assert all({"train_loss", "sentence_macro_f1", "seconds"} <= set(r) for r in log)
    # softmax scores over the labels plus "no label": they sum to less than 1
    probs = labeler.score_pairs([("bike lanes", "Everyone loved the « bike lanes » .")])
    assert probs.shape == (1, 2) and 0 < float(probs.sum()) < 1
    # given targets: only they are scored, at most one label each
    doc = labeler.label_sentences(["Critics blamed the mayor for the bike lanes."],
                                  targets=[[{"actor": "bike lanes", "mentions": "bike lanes"}]])
    assert [c.actor for c in doc.sentences[0].candidates] == ["bike lanes"]
    assert doc.sentences[0].candidates[0].mention.text == "bike lanes"
    assert all(len(c.labels) == 1 for c in doc.claims)
    code = main(["eval", "--gold", str(data), "--model", str(out_dir), "--json", "--bootstrap", "0"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["n_sentences"] == 20 and set(result["per_label"]) == {"FAVOR", "AGAINST"}
    # stance train --from: continues from that model with its own (single-label) schema
    more = tmp_path / "more.jsonl"
    docs = targeted_documents(mentioned=True)
    docs[2]["sentences"][0]["claims"] = [{"actor": "bike lanes", "mentions": "bike lanes", "labels": ["UNDECIDED"]}]
    stance.write_documents(docs, more)
    code = main(["train", "--data", str(more), "--from", str(out_dir), "--out", str(tmp_path / "more-model"), "--epochs", "1", "-q"])
    capsys.readouterr()
    again = stance.load(tmp_path / "more-model")
    assert code == 0 and again.schema.names == ["FAVOR", "AGAINST", "UNDECIDED"] and again.config.multi_label is False
    assert again.metadata["from_model"] == str(out_dir)


def test_targets_without_mention_and_bad_targets(tmp_path):
    from stance.actors import given_candidates
    from stance.sentences import SentenceSpan

    cands = given_candidates(SentenceSpan(10, 31, "No words for it here."), ["school meals"])
    assert cands[0].actor == "school meals" and cands[0].mention is None and cands[0].source == "given"
    twice = SentenceSpan(0, 16, "Trump met Trump.")
    assert given_candidates(twice, [{"actor": "Trump", "mentions": "Trump", "start": 10}])[0].mention.start == 10
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"sentences": [{"text": "A quiet day.", "targets": [{"actor": "X", "mentions": "Y"}]}]}) + "\n")
    with pytest.raises(stance.StanceError) as err:
        stance.read_documents(bad)
    assert err.value.code == "E070" and "'Y'" in str(err.value) and "line 1" in str(err.value)
    bad.write_text(json.dumps({"sentences": [{"text": "Trump met Trump.", "targets": [{"actor": "T", "mentions": "Trump", "start": 3}]}]}) + "\n")
    with pytest.raises(stance.StanceError) as err:
        stance.read_documents(bad)
    assert err.value.code == "E070" and "offset 3" in str(err.value)
    good = tmp_path / "good.jsonl"
    stance.write_documents(targeted_documents(mentioned=False), good)
    assert stance.read_documents(good)[2]["sentences"][0]["targets"] == ["bike lanes"]


def test_class_weights_balance_the_label_counts():
    from stance.calibration import class_weights
    from stance.model import stance_loss as _loss

    # single-label: 2 FAVOR, 1 AGAINST, 3 "no label" -> n / (k * count) per class, "no label" last
    targets = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    assert class_weights(targets, multi_label=False).tolist() == pytest.approx([1.0, 2.0, 2 / 3])
    assert class_weights(targets, multi_label=False, power=0.5).tolist() == pytest.approx([1.0, 2**0.5, (2 / 3) ** 0.5])
    # multi-label: BCE pos_weight = negatives / positives; a label never seen keeps 1
    multi = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    assert class_weights(multi, multi_label=True).tolist() == pytest.approx([1.0, 3.0, 1.0])
    # the weights reach the loss: a weighted rare class counts more
    logits = torch.zeros((6, 2))
    assert float(_loss(logits, targets, False, class_weights(targets, False))) == pytest.approx(
        float(_loss(logits, targets, False)))  # uniform logits: the weighted mean is the same loss
    with pytest.raises(stance.StanceError) as err:
        stance.train(targeted_documents(mentioned=True), schema=single_label_schema(),
                     registry=stance.ActorRegistry([]), epochs=1, class_weight="heavy")
    assert err.value.code == "E037" and "'class_weight'" in str(err.value)



def test_full_fine_tuning_trains_saves_and_reloads_every_weight(tmp_path, tiny_base):
    """``lora_r`` 0: no adapters, every encoder weight is trained and saved, and the model reloads as it was."""
    docs = targeted_documents(mentioned=True)
    recipe = {"model": {"lora_r": 0}, "design": "pair", "base": str(tiny_base)}
    labeler = stance.train(docs, schema=single_label_schema(), registry=stance.ActorRegistry([]), epochs=1, lr=1e-4,
                           seed=2, **recipe)
    weights = labeler._weights
    assert not any(k.startswith("lora.") for k in weights)
    base = stance.train(docs, schema=single_label_schema(), registry=stance.ActorRegistry([]), epochs=1, lr=0.0,
                        seed=2, **recipe)._weights
    assert not torch.equal(weights["encoder.encoder.layer.0.attention.self.query.weight"],
                           base["encoder.encoder.layer.0.attention.self.query.weight"])  # the encoder itself trained
    path = labeler.save(tmp_path / "full")
    again = stance.load(path)
    pairs = [("bike lanes", "Everyone loved the « bike lanes » .")]
    assert again.config.lora_r == 0 and torch.equal(again.score_pairs(pairs), labeler.score_pairs(pairs))
    # a LoRA config cannot be filled from a full model's weights, nor the other way round
    saved = load_file(str(path / "weights.safetensors"))
    lora_config = dataclasses.replace(again.config, lora_r=16)
    lora_net = stance.model.StanceNet.build(lora_config, stance.model.resolve_base(again.config.base_model))
    with pytest.raises(stance.StanceError) as err:
        lora_net.load_trainable_state(saved)
    assert err.value.code == "E030" and "LoRA" in str(err.value)


def test_a_frozen_encoder_trains_only_the_head_on_features_computed_once(tmp_path, tiny_base, seed_docs, schema,
                                                                         registry, monkeypatch):
    """``frozen_encoder``: the base keeps its weights, the encoder runs once per pair (not once per
    epoch), the head alone is saved, the epoch is chosen on the dev pairs, and the model reloads as it was."""
    from stance.model import SharedStanceNet
    from stance.sentences import split_sentences

    calls = []
    real = SharedStanceNet.features
    monkeypatch.setattr(SharedStanceNet, "features", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    train, dev = seed_docs, seed_docs
    labeler = stance.train(train, dev_documents=dev, schema=schema, registry=registry, epochs=3, lr=1e-2, seed=3,
                           base=str(tiny_base), model={"frozen_encoder": True})
    batches_per_pass = -(-labeler.metadata["n_pairs"] // 64)
    # features of the training and dev pairs once each; then the dev documents once, at the end
    assert len(calls) <= 2 * batches_per_pass + 40
    history = labeler.metadata["history"]
    assert len(history) == 3 and all(0.0 <= h["dev_pair_macro_f1"] <= 1.0 for h in history)
    assert labeler.metadata["best_epoch"] == 1 + max(range(3), key=lambda i: history[i]["dev_pair_macro_f1"])
    weights = labeler._weights
    assert weights and not any(k.startswith(("encoder.", "lora.")) for k in weights)
    fresh = stance.model.StanceNet.build(labeler.config, tiny_base)
    assert all(torch.equal(v, fresh.encoder.state_dict()[k]) for k, v in labeler.net.encoder.state_dict().items())
    path = labeler.save(tmp_path / "frozen")
    again = stance.load(path, precision="fp32")
    text = " ".join(s["text"] for s in seed_docs[0]["sentences"][:8])
    pairs = labeler.prepare(text, split_sentences(text)).pairs
    assert pairs
    assert again.config.frozen_encoder and torch.allclose(again.score_pairs(pairs), labeler.score_pairs(pairs))


def test_distillation_mixes_the_teacher_s_scores_into_the_targets(tiny_model_dir, seed_docs, schema, registry, tiny_base):
    """``teacher``: the training pairs' targets are (1 - w) gold + w the teacher's calibrated scores;
    w = 0 is gold training exactly, and a teacher of other labels is refused naming the field."""
    from stance.pairs import gold_pairs
    from stance.training import _distill_targets

    teacher = stance.load(tiny_model_dir, precision="fp32")
    student = stance.load(tiny_model_dir, precision="fp32")
    pairs = gold_pairs(seed_docs, student.finder, student.encoder, schema, also=teacher.encoder)
    assert len(pairs.also_texts) == len(pairs.texts)
    gold = torch.tensor(pairs.targets)
    _distill_targets(pairs, teacher, 0.25)
    expected = 0.75 * gold + 0.25 * teacher.score_pairs(pairs.also_texts)
    assert torch.allclose(torch.tensor(pairs.targets), expected, atol=1e-6) and pairs.gold_targets == gold.tolist()
    common = {"schema": schema, "registry": registry, "epochs": 1, "seed": 5, "base": str(tiny_base)}
    plain = stance.train(seed_docs, **common)
    distilled = stance.train(seed_docs, teacher=str(tiny_model_dir), distill_weight=0.0, **common)
    assert all(torch.equal(plain._weights[k], distilled._weights[k]) for k in plain._weights)
    assert distilled.metadata["teacher"] == {"path": str(tiny_model_dir), "distill_weight": 0.0}
    assert distilled.metadata["n_positive_pairs"] == plain.metadata["n_positive_pairs"]
    moved = stance.train(seed_docs, teacher=str(tiny_model_dir), distill_weight=1.0, **common)
    assert not all(torch.equal(plain._weights[k], moved._weights[k]) for k in plain._weights)
    other = stance.LabelSchema([stance.schema.Label("pro_negotiation", "talks")], multi_label=True)
    with pytest.raises(stance.StanceError) as err:
        stance.train(seed_docs, schema=other, registry=registry, epochs=1, base=str(tiny_base), teacher=str(tiny_model_dir))
    assert err.value.code == "E037" and "teacher" in str(err.value)
    with pytest.raises(stance.StanceError):
        stance.TrainingConfig(distill_weight=1.5).check()
