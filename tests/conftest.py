"""Shared fixtures: the shipped model and a tiny model trained on the seed, loaded once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
torch.set_num_threads(2)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (SEEDS / "seed-001.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_docs():
    import stance

    return stance.read_documents(SEEDS / "seed-001.jsonl")


@pytest.fixture(scope="session")
def registry():
    import stance

    return stance.ActorRegistry.from_disk(SEEDS / "actors.jsonl")


@pytest.fixture(scope="session")
def schema():
    import stance

    return stance.LabelSchema.from_disk(SEEDS / "labels.json")


@pytest.fixture(scope="session")
def shipped():
    """The shipped model in fp32, whose scores do not depend on batching (bf16 ones move
    by up to about 0.005); tests of the default bf16 path load their own."""
    import stance

    return stance.load(precision="fp32")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, seed_docs, schema, registry, tiny_base) -> Path:
    """A model of the tiny random base trained for two epochs on the seed article, saved to disk."""
    import stance

    labeler = stance.train(seed_docs, schema=schema, registry=registry, epochs=2, seed=7, base=str(tiny_base))
    return labeler.save(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    """A tiny randomly initialised BERT (2 layers, 32 wide) with the bundled tokenizer, saved as a
    local Hugging Face folder: for tests of the machinery (saving, loading, the CLI, configs),
    not of what the model learns. Any local folder works as a base, so this one does too."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from stance.model import DEFAULT_BASE, resolve_base

    path = tmp_path_factory.mktemp("tiny-base")
    tokenizer = AutoTokenizer.from_pretrained(str(resolve_base(DEFAULT_BASE)), local_files_only=True)
    tokenizer.save_pretrained(path)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=256)
    BertModel(config, add_pooling_layer=False).save_pretrained(path, safe_serialization=True)
    return path


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory) -> Path:
    """The evaluation report of the shipped model on the seed, written once by ``stance eval --report``."""
    from stance.cli import main

    out = tmp_path_factory.mktemp("report")
    code = main(["eval", "--gold", str(SEEDS / "seed-001.jsonl"), "--report", str(out), "--bootstrap", "100", "--json",
                 "--precision", "fp32"])  # as the shipped fixture
    assert code == 0
    return out


# -- headless Chromium, for tests that look at pages as a user sees them ---------------------


class Page:
    """What Chromium made of a page: its DOM after load, console messages, a screenshot."""

    def __init__(self, dom: str, console: list[str], screenshot: Path) -> None:
        self.dom = dom
        self.console = console
        self.screenshot = screenshot


class Chromium:
    """Debian's ``chromium`` run as ``--headless --no-sandbox``, one process per call.

    Console messages (``console.*``, uncaught errors, Content-Security-Policy violations)
    are read from the browser log (``--enable-logging=stderr --v=0``), where Chromium
    writes them as ``INFO:CONSOLE`` lines.
    """

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir

    def _run(self, url: str, *flags: str) -> tuple[str, list[str]]:
        import re
        import subprocess

        cmd = [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
               "--enable-logging=stderr", "--v=0", f"--user-data-dir={self.workdir / 'profile'}", *flags, url]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"})
        console = [m.group(1) for m in re.finditer(r":CONSOLE[^\]]*\] (.*)", done.stderr)]
        if done.returncode != 0:
            raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
        return done.stdout, console

    def open(self, path: Path, width: int = 1280, height: int = 1000) -> Page:
        url = path.resolve().as_uri()
        dom, console = self._run(url, "--dump-dom")
        shot = self.workdir / f"{path.stem}-{width}x{height}.png"
        _, console2 = self._run(url, f"--screenshot={shot}", f"--window-size={width},{height}", "--hide-scrollbars")
        return Page(dom, console + console2, shot)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory) -> Chromium:
    """Headless Chromium, or a skip saying why it cannot run here."""
    import shutil
    import subprocess

    binary = os.environ.get("STANCE_CHROMIUM") or next(
        (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if binary is None:
        pytest.skip("headless Chromium not found: .ci/run installs Debian's 'chromium' with apt-get "
                    "(or set STANCE_CHROMIUM to a Chromium binary)")
    browser = Chromium(binary, tmp_path_factory.mktemp("chromium"))
    probe = browser.workdir / "probe.html"
    probe.write_text("<!DOCTYPE html><html><body><p id='probe'>ok</p></body></html>", encoding="utf-8")
    try:
        dom, _ = browser._run(probe.as_uri(), "--dump-dom")
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"headless Chromium ({binary}) cannot start here: {str(exc)[:300]}")
    if "id=\"probe\"" not in dom:
        pytest.skip(f"headless Chromium ({binary}) started but returned no DOM")
    return browser
