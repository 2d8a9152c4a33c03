import pytest

import stance
from stance import Claim, Doc, Sentence
from stance.document import Candidate
from stance.evaluation import error_types, score

KEYS = {"sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1", "per_label", "n_sentences"}


def pred_doc(gold, claims_per_sentence):
    sentences = []
    for i, (s, claims) in enumerate(zip(gold["sentences"], claims_per_sentence)):
        sentences.append(Sentence(s["text"], 0, len(s["text"]), i,
                                  [Claim(a, labels, dict.fromkeys(labels, 0.9)) for a, labels in claims]))
    return Doc("", sentences)


def gold_claims(gold):
    return [[(c["actor"], c["labels"]) for c in s["claims"]] for s in gold["sentences"]]


def test_perfect_predictions_score_one(seed_docs, schema, registry):
    (gold,) = seed_docs
    result = score([gold], [pred_doc(gold, gold_claims(gold))], schema, registry, n_bootstrap=50)
    assert KEYS <= set(result)
    assert result["sentence_macro_f1"] == 1.0 and result["claim_micro_f1"] == 1.0 and result["actor_f1"] == 1.0
    assert result["ci95"]["claim_micro_f1"] == [1.0, 1.0]
    assert result["sentence_exact_match"] == 1.0
    assert result["confusion"]["none"]["none"] == sum(1 for s in gold["sentences"] if not s["claims"])


def test_actor_names_resolve_through_registry(seed_docs, schema, registry):
    (gold,) = seed_docs
    renamed = [[("Petro" if a == "Gustavo Petro" else "Washington" if a == "United States" else a, labels) for a, labels in s]
               for s in gold_claims(gold)]
    assert score([gold], [pred_doc(gold, renamed)], schema, registry, n_bootstrap=0)["claim_micro_f1"] == 1.0


def test_unregistered_names_match_on_trailing_tokens(schema, registry):
    gold = {"sentences": [{"text": "Haley demanded it.", "claims": [{"actor": "Nikki Haley", "labels": ["pro_intervention"]}]}]}
    good = score([gold], [pred_doc(gold, [[("Haley", ["pro_intervention"])]])], schema, registry, n_bootstrap=0)
    bad = score([gold], [pred_doc(gold, [[("Bob Haley Smith", ["pro_intervention"])]])], schema, registry, n_bootstrap=0)
    assert good["claim_micro_f1"] == 1.0 and bad["claim_micro_f1"] == 0.0 and bad["sentence_micro_f1"] == 1.0


def test_partial_predictions(seed_docs, schema, registry):
    (gold,) = seed_docs
    empty = score([gold], [pred_doc(gold, [[] for _ in gold["sentences"]])], schema, registry, n_bootstrap=0)
    assert empty["claim_micro_f1"] == 0.0 and empty["sentence_macro_f1"] == 0.0
    assert empty["per_label"]["sovereignty"]["support"] == 8


def test_error_types_sort_every_wrong_pair(schema, registry):
    gold = {"doc_id": "d", "sentences": [
        {"text": "Facts.", "claims": []},
        {"text": "Petro and Trump spoke.", "claims": [{"actor": "Gustavo Petro", "labels": ["sovereignty"]},
                                                     {"actor": "Donald Trump", "labels": ["pro_intervention"]}]},
        {"text": "He said so.", "claims": [{"actor": "Nicolás Maduro", "labels": ["sovereignty"]}]},
    ]}
    def cand(name):
        return Candidate(name, "person", None, "registry")
    sentences = [
        Sentence("Facts.", 0, 6, 0, [Claim("Donald Trump", ["pro_intervention"], {"pro_intervention": 0.7})]),
        # Petro right but with an extra label, Trump a candidate below threshold, Rubio wrong actor
        Sentence("Petro and Trump spoke.", 7, 29, 1,
                 [Claim("Petro", ["sovereignty", "drug_policy_reform"], {"sovereignty": 0.8, "drug_policy_reform": 0.6}),
                  Claim("Marco Rubio", ["pro_intervention"], {"pro_intervention": 0.55})],
                 [cand("Gustavo Petro"), cand("Donald Trump"), cand("Marco Rubio")]),
        Sentence("He said so.", 30, 41, 2, [], [cand("Donald Trump")]),  # Maduro never a candidate
    ]
    errors = error_types([gold], [Doc("", sentences, "d")], registry)
    assert {k: [(e["sentence"], e["actor"], e["label"]) for e in v] for k, v in errors.items()} == {
        "spurious_no_gold": [(0, "Donald Trump", "pro_intervention")],
        "missed_below_threshold": [(1, "Donald Trump", "pro_intervention")],
        "missed_no_candidate": [(2, "Nicolás Maduro", "sovereignty")],
        "wrong_actor": [(1, "Marco Rubio", "pro_intervention")],
        "wrong_labels": [(1, "Gustavo Petro", "drug_policy_reform")],
    }
    assert errors["spurious_no_gold"][0]["score"] == 0.7


def test_evaluate_runs_the_model(shipped, seed_docs):
    result = stance.evaluate(shipped, seed_docs, n_bootstrap=20)
    assert KEYS <= set(result) and result["n_sentences"] == 17
    assert 0.0 <= result["sentence_macro_f1"] <= 1.0


def test_cross_validation_on_the_seed(seed_docs, schema, registry):
    result = stance.cross_validate(seed_docs, k=3, n_bootstrap=20, schema=schema, registry=registry, epochs=1)
    cv = result["cross_validation"]
    assert cv["k"] == 3 and cv["fold_unit"] == "sentence block" and len(cv["folds"]) == 3
    assert result["n_sentences"] == 17


def test_cv_needs_enough_sentences(schema, registry):
    tiny = [{"sentences": [{"text": "A.", "claims": []}]}]
    with pytest.raises(stance.StanceError) as err:
        stance.cross_validate(tiny, k=3, schema=schema, registry=registry)
    assert err.value.code == "E034"


def test_candidate_coverage_counts_pairs_sources_misses_and_the_tagger_ceiling(registry):
    from stance.evaluation import candidate_coverage

    gold = {"sentences": [
        {"text": "Petro and Jane Roe spoke.", "claims": [
            {"actor": "Gustavo Petro", "labels": ["sovereignty", "drug_policy_reform"], "mentions": "Petro"},
            {"actor": "Jane Roe", "labels": ["sovereignty"], "mentions": "Jane Roe"},
        ]},
        {"text": "Foreign strikes are wrong.", "claims": [
            {"actor": "Gustavo Petro", "labels": ["sovereignty"], "mentions": None},
        ]},
    ]}
    pred = Doc("", [Sentence("Petro and Jane Roe spoke.", 0, 25, 0, [], [Candidate("Gustavo Petro", "person", None, "registry")]),
                    Sentence("Foreign strikes are wrong.", 26, 52, 1, [], [])])
    cov = candidate_coverage([gold], [pred], registry)
    assert (cov["gold_pairs"], cov["covered"]) == (4, 2) and cov["coverage"] == 0.5
    assert cov["by_source"] == {"registry": 2}
    assert cov["missed_by_kind"]["name"] == 1 and cov["missed_by_kind"]["implicit"] == 1
    assert cov["missed_nameable"] == 1  # "Jane Roe" names its actor; the implicit holder has no words
    assert cov["candidates_per_sentence"] == 0.5 and cov["sentences_without_candidates"] == 0.5
