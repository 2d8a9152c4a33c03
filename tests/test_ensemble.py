"""Ensembles: members trained with different seeds, scores averaged, saved and loaded as one model."""

import json

import pytest
import torch

import stance
from stance.cli import main
from tests.test_training import single_label_schema, targeted_documents, write_policy_files

PAIRS = [("bike lanes", "Everyone loved the « bike lanes » ."), ("school meals", "Critics hated the « school meals » plan.")]


@pytest.fixture(scope="module")
def ensemble(tiny_base) -> stance.Ensemble:
    docs = targeted_documents(mentioned=True) * 2
    return stance.train_ensemble(docs, seeds=[3, 4], dev_fraction=0.25, schema=single_label_schema(),
                                 registry=stance.ActorRegistry([]), epochs=2, lr=1e-3, design="pair", base=str(tiny_base))


def test_scores_are_the_mean_of_the_members_and_thresholds_are_fitted_on_dev(ensemble):
    a, b = ensemble.members
    assert a.metadata["seed"] == 3 and b.metadata["seed"] == 4
    # the same dev documents for both members, held out once
    assert a.metadata["dev_documents"] == b.metadata["dev_documents"] == ensemble.metadata["dev_split"]["documents"] == 5
    assert not torch.equal(a.score_pairs(PAIRS), b.score_pairs(PAIRS))
    assert torch.allclose(ensemble.score_pairs(PAIRS), (a.score_pairs(PAIRS) + b.score_pairs(PAIRS)) / 2)
    assert ensemble.metadata["thresholds_tuned_on"] == "dev" and set(ensemble.thresholds) == {"FAVOR", "AGAINST"}
    # claims are decided by the ensemble's thresholds on the averaged scores
    ensemble.thresholds = {"FAVOR": 0.0, "AGAINST": 0.0}
    doc = ensemble.label_sentences(["Everyone loved the bike lanes."], targets=[[{"actor": "bike lanes", "mentions": "bike lanes"}]])
    probs = ensemble.score_pairs([("bike lanes", "Everyone loved the « bike lanes » .")])[0]
    assert doc.claims[0].labels == [["FAVOR", "AGAINST"][int(probs.argmax())]]
    ensemble.thresholds = {"FAVOR": 0.99, "AGAINST": 0.99}
    assert ensemble.label_sentences(["Everyone loved the bike lanes."],
                                    targets=[[{"actor": "bike lanes", "mentions": "bike lanes"}]]).claims == []


def test_save_and_load_as_one_model(ensemble, tmp_path):
    path = ensemble.save(tmp_path / "ens")
    assert json.loads((path / "ensemble.json").read_text())["members"] == ["member-1", "member-2"]
    again = stance.load(path, precision="fp32")
    assert isinstance(again, stance.Ensemble) and len(again.members) == 2
    assert again.thresholds == ensemble.thresholds
    assert torch.equal(again.score_pairs(PAIRS), ensemble.set_precision("fp32").score_pairs(PAIRS))
    (path / "member-2" / "weights.safetensors").unlink()
    with pytest.raises(stance.StanceError) as err:
        stance.load(path)
    assert err.value.code == "E030" and "member-2" in str(err.value)


def test_members_must_read_the_same_pairs(ensemble, tiny_model_dir):
    with pytest.raises(stance.StanceError) as err:
        stance.Ensemble([ensemble.members[0], stance.load(tiny_model_dir)])
    assert err.value.code == "E075" and "member 2 has labels" in str(err.value)
    with pytest.raises(stance.StanceError) as err:
        stance.Ensemble(ensemble.members[:1])
    assert err.value.code == "E075"
    with pytest.raises(stance.StanceError) as err:
        stance.train_ensemble(targeted_documents(mentioned=True), seeds=[1, 1])
    assert err.value.code == "E075"


def test_cli_trains_an_ensemble_and_eval_reads_it(capsys, tmp_path, tiny_base):
    (data, schema_path), out = write_policy_files(tmp_path), tmp_path / "ens"
    code = main(["train", "--data", str(data), "--schema", str(schema_path), "--out", str(out), "--epochs", "1",
                 "--base", str(tiny_base),
                 "--dev-fraction", "0.25", "--seed", "7", "--ensemble", "2", "--design", "pair", "-q"])
    err = capsys.readouterr().err
    assert code == 0 and '"seeds": [7, 8]' in err
    assert (out / "member-1" / "weights.safetensors").is_file() and (out / "member-2" / "config.json").is_file()
    code = main(["eval", "--gold", str(data), "--model", str(out), "--json", "--bootstrap", "0", "--precision", "fp32"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["n_sentences"] == 20
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "x"), "--ensemble", "0", "-q"]) == 2
    assert "E075" in capsys.readouterr().err
