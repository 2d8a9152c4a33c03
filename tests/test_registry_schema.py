import json

import pytest

from stance import Actor, ActorRegistry, LabelSchema, StanceError
from stance.registry import fold, names_match


def test_fold_keeps_length_and_strips_accents():
    assert fold("Nicolás Maduro") == "nicolas maduro"
    assert len(fold("Andrés Manuel López Obrador")) == len("Andrés Manuel López Obrador")


def test_canonical_names_and_same_actor(registry):
    assert registry.canonical("Washington") == "United States"
    assert registry.canonical("the White House") == "United States"
    assert registry.canonical("nicolas maduro") == "Nicolás Maduro"
    assert registry.same_actor("Pompeo", "Mike Pompeo")
    assert registry.same_actor("Haley", "Nikki Haley")  # unregistered: trailing tokens
    assert not registry.same_actor("Petro", "Colombia")
    assert not names_match("Pompeo", "Mike Pence")


def test_registry_covers_the_guide_actors(registry):
    for name in ["Gustavo Petro", "Nicolás Maduro", "Donald Trump", "Marco Rubio", "Pete Hegseth",
                 "Luiz Inácio Lula da Silva", "Claudia Sheinbaum", "United States", "Venezuela", "Colombia",
                 "Mexico", "Brazil", "United Nations", "CELAC", "OAS", "critics", "analysts", "advocates"]:
        assert registry.get(name) is not None, name


def test_registry_round_trip_and_errors(tmp_path, registry):
    path = tmp_path / "actors.jsonl"
    registry.to_disk(path)
    again = ActorRegistry.from_disk(path)
    assert [a.name for a in again] == [a.name for a in registry]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"name": "X"}) + "\n" + json.dumps({"name": "Y", "kind": "planet"}) + "\n")
    with pytest.raises(StanceError) as err:
        ActorRegistry.from_disk(bad)
    assert err.value.code == "E021" and "line 2" in str(err.value)


def test_schema_round_trip_extension_and_errors(tmp_path, schema):
    assert schema.names == ["pro_intervention", "sovereignty", "drug_policy_reform"]
    assert all(label.definition for label in schema.labels)
    bigger = schema.extended(["pro_negotiation", "sovereignty"])
    assert bigger.names[-1] == "pro_negotiation" and len(bigger) == 4
    path = tmp_path / "labels.json"
    bigger.to_disk(path)
    assert LabelSchema.from_disk(path).names == bigger.names
    path.write_text('{"labels": []}')
    with pytest.raises(StanceError) as err:
        LabelSchema.from_disk(path)
    assert err.value.code == "E020"
    with pytest.raises(StanceError) as err:
        LabelSchema([*schema.labels, schema.labels[0]])
    assert err.value.code == "E022"


def test_registry_addition_is_data_only():
    reg = ActorRegistry([Actor("OAS", kind="organisation", aliases=["Organization of American States"])])
    assert reg.canonical("organization of american states") == "OAS"
