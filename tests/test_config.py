"""The training config: one TrainingConfig read by stance.train, `stance train --config` and the
shipped model's build (issue 14)."""

import json
from pathlib import Path

import pytest

import stance
from stance.cli import main
from stance.config import TRAINING_CONFIG_FILE, TrainingConfig

ROOT = Path(__file__).resolve().parents[1]


def test_the_build_configs_are_training_configs():
    for name in ("config.json", "al_start.json"):
        config = TrainingConfig.from_file(ROOT / "training" / name)
        assert config.train and all((ROOT / p).is_file() for p in config.train + config.dev)
    shipped = TrainingConfig.from_file(ROOT / "training" / "config.json")
    # the shipped model keeps the recipe it was built with, beside its network config
    assert TrainingConfig.from_file(stance.defaults.DEFAULT_MODEL / TRAINING_CONFIG_FILE) == shipped
    recorded = json.loads((stance.defaults.DEFAULT_MODEL / "training.json").read_text(encoding="utf-8"))
    assert sorted(recorded["data_files"]) == sorted(shipped.train + shipped.dev)
    assert (recorded["seed"], recorded["epochs"], recorded["lr"], recorded["design"]) == (
        shipped.seed, shipped.epochs, shipped.lr, shipped.design)


def test_bad_config_fields_are_named(tmp_path):
    cases = {"epocs": 3, "epochs": -1, "lr": "fast", "class_weight": "heavy", "train": "a.jsonl",
             "model": {"lora_rank": 4}, "design": "tree", "patience": 0}
    for field, value in cases.items():
        path = tmp_path / f"{field}.json"
        path.write_text(json.dumps({field: value}), encoding="utf-8")
        with pytest.raises(stance.StanceError) as err:
            TrainingConfig.from_file(path)
        assert err.value.code in ("E037", "E035") and str(path) in str(err.value), field
        assert (field.split("_")[0] in str(err.value)) or field == "design", (field, str(err.value))
    (tmp_path / "broken.json").write_text('{"epochs": 3,', encoding="utf-8")
    with pytest.raises(stance.StanceError) as err:
        TrainingConfig.from_file(tmp_path / "broken.json")
    assert err.value.code == "E002"


def test_train_reads_the_config_and_keyword_options_override_it(tmp_path, tiny_base):
    config = TrainingConfig(train=[str(ROOT / "seeds" / "seed-001.jsonl")], schema=str(ROOT / "seeds" / "labels.json"),
                            registry=str(ROOT / "seeds" / "actors.jsonl"), base=str(tiny_base), epochs=3, seed=2)
    labeler = stance.train(config=config, epochs=1)
    assert labeler.training_config.epochs == 1 and config.epochs == 3  # the caller's config is left as given
    assert labeler.metadata["epochs"] == 1 and labeler.metadata["n_documents"] == 1
    assert list(labeler.metadata["data_files"]) == config.train
    saved = labeler.save(tmp_path / "m")
    assert TrainingConfig.from_file(saved / TRAINING_CONFIG_FILE) == labeler.training_config
    with pytest.raises(stance.StanceError) as err:
        stance.train(config=config, epoch=2)
    assert err.value.code == "E037" and "'epoch'" in str(err.value)
    with pytest.raises(stance.StanceError) as err:
        stance.train(config=TrainingConfig())
    assert err.value.code == "E037" and "no training documents" in str(err.value)


def test_cli_train_takes_a_config_file_and_flags_override_it(tmp_path, tiny_base, capsys):
    config = TrainingConfig(train=[str(ROOT / "seeds" / "seed-001.jsonl")], base=str(tiny_base), epochs=3, seed=9)
    path = tmp_path / "recipe.json"
    config.to_file(path)
    assert main(["train", "--config", str(path), "--epochs", "1", "--out", str(tmp_path / "m"), "-q"]) == 0
    capsys.readouterr()
    saved = TrainingConfig.from_file(tmp_path / "m" / TRAINING_CONFIG_FILE)
    assert (saved.epochs, saved.seed, saved.base) == (1, 9, str(tiny_base))
    assert main(["train", "--out", str(tmp_path / "n"), "-q"]) == 2
    assert "E037" in capsys.readouterr().err
