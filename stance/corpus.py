"""Annotations of an external corpus stored as references, never as text.

A reference document names an article of a corpus on disk and, for each sentence,
the field it is in (``title`` or ``text``), its ``[start, end)`` character offsets and
the sha1 of ``field[start:end]``. :func:`load_references` joins references with the
corpus into the annotation guide's JSONL documents and fails loudly when a hash no
longer matches, so a changed source is detected instead of silently misaligned.

Reference line::

    {"doc_id": "allsides:0sQ1hY33iRGoYhBk", "corpus": "allsides_latam",
     "article_id": "0sQ1hY33iRGoYhBk",
     "sentences": [{"field": "title", "start": 0, "end": 57, "sha1": "...",
                    "claims": [{"actor": "...", "mentions": "...", "labels": [...]}]}]}
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import StanceError
from .jsonl import iter_json_lines
from .sentences import split_sentences

__all__ = [
    "DEFAULT_CORPUS",
    "FIRST_CORPUS",
    "corpus_available",
    "corpus_dir",
    "load_corpus",
    "load_references",
    "sentence_sha1",
    "template_documents",
    "to_references",
]

# the first corpus annotated; a reference line without a "corpus" field belongs to it
FIRST_CORPUS = "allsides_latam"
_SHARED_CORPORA = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora"


def corpus_dir(name: str = FIRST_CORPUS) -> Path:
    """Return the folder of the corpus called ``name`` (a reference's ``corpus`` field).

    ``$STANCE_CORPUS_<NAME>`` (``STANCE_CORPUS_ALLSIDES_MORE``; for the first corpus also
    ``$STANCE_CORPUS``) points at one corpus; else ``$STANCE_CORPORA/<name>``; else
    ``../shared/corpora/<name>`` beside the repository.
    """
    own = os.environ.get(f"STANCE_CORPUS_{name.upper()}") or (os.environ.get("STANCE_CORPUS") if name == FIRST_CORPUS else None)
    if own:
        return Path(own)
    return Path(os.environ.get("STANCE_CORPORA", _SHARED_CORPORA)) / name


DEFAULT_CORPUS = corpus_dir(FIRST_CORPUS)


def sentence_sha1(text: str) -> str:
    """Return the hex sha1 of a sentence's UTF-8 text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def corpus_available(corpus: str | os.PathLike[str] = FIRST_CORPUS) -> bool:
    """Return True when the corpus (a name, or a folder) has its ``articles.jsonl``."""
    return (_folder(corpus) / "articles.jsonl").is_file()


def _folder(corpus: str | os.PathLike[str]) -> Path:
    """A corpus given by name (``allsides_more``) or by folder."""
    return corpus_dir(corpus) if isinstance(corpus, str) and os.sep not in corpus and not Path(corpus).exists() else Path(corpus)


def load_corpus(corpus: str | os.PathLike[str] = FIRST_CORPUS) -> dict[str, dict[str, Any]]:
    """Return the corpus's articles keyed by id (the corpus given by name or folder; read once
    per process while the file is unchanged)."""
    path = _folder(corpus) / "articles.jsonl"
    if not path.is_file():
        raise StanceError("E040", path=path)
    stat = path.stat()
    return _read_articles(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _read_articles(path: str, mtime_ns: int, size: int) -> dict[str, dict[str, Any]]:
    return {article["id"]: article for _, article in iter_json_lines(Path(path))}


def _field_text(article: dict[str, Any], field: str) -> str:
    value = article.get(field)
    return value if isinstance(value, str) else ""


def template_documents(article_ids: list[str], corpus: str | os.PathLike[str] = FIRST_CORPUS) -> Iterator[dict[str, Any]]:
    """Yield, per article, a guide-format document of all its sentences with empty claims.

    The documents carry the article text and are meant for an annotator's scratch
    space outside the repository; :func:`to_references` strips the text again.
    """
    articles = load_corpus(corpus)
    for article_id in article_ids:
        if article_id not in articles:
            raise StanceError("E041", article_id=article_id, path=_folder(corpus))
        article = articles[article_id]
        sentences = []
        title = _field_text(article, "title").strip()
        if title:
            start = article["title"].find(title)
            sentences.append({"field": "title", "start": start, "end": start + len(title), "text": title, "claims": []})
        for span in split_sentences(_field_text(article, "text")):
            sentences.append({"field": "text", "start": span.start, "end": span.end, "text": span.text, "claims": []})
        yield {
            "doc_id": f"allsides:{article_id}",
            "corpus": _folder(corpus).name,
            "article_id": article_id,
            "url": article.get("url"),
            "outlet": article.get("outlet"),
            "date": article.get("date"),
            "title": article.get("title"),
            "lang": "en",
            "sentences": sentences,
        }


def to_references(document: dict[str, Any]) -> dict[str, Any]:
    """Return ``document`` with each sentence's text replaced by its sha1."""
    sentences = []
    for sentence in document["sentences"]:
        sentences.append(
            {
                "field": sentence["field"],
                "start": sentence["start"],
                "end": sentence["end"],
                "sha1": sentence_sha1(sentence["text"]),
                "claims": sentence.get("claims", []),
                **({"targets": sentence["targets"]} if "targets" in sentence else {}),
            }
        )
    keep = ("doc_id", "corpus", "article_id", "split", "annotator")
    return {**{k: document[k] for k in keep if k in document}, "sentences": sentences}


def load_references(
    path: str | os.PathLike[str], corpus: str | os.PathLike[str] | None = None
) -> list[dict[str, Any]]:
    """Return the guide-format documents that the reference file at ``path`` points to.

    Each line names its corpus (``"corpus": "allsides_more"``; none means the first corpus),
    found by :func:`corpus_dir`; ``corpus`` (a name or folder) overrides that for every line.

    Raises:
        StanceError: E040 when a corpus is absent, E041 an article not in it, E042 on a
            hash mismatch, E002 on bad JSON; each names the file and line.
    """
    documents = []
    path = Path(path)
    for number, ref in iter_json_lines(path):
        source = corpus if corpus is not None else ref.get("corpus", FIRST_CORPUS)
        articles = load_corpus(source)
        article = articles.get(ref.get("article_id"))
        if article is None:
            raise StanceError("E041", article_id=ref.get("article_id"), path=_folder(source))
        sentences = []
        for index, sref in enumerate(ref["sentences"]):
            text = _field_text(article, sref["field"])[sref["start"] : sref["end"]]
            if sentence_sha1(text) != sref["sha1"]:
                raise StanceError("E042", path=path, line=number, index=index, article_id=ref["article_id"])
            sentences.append({"text": text, "claims": sref.get("claims", []),
                              "field": sref["field"], "start": sref["start"], "end": sref["end"],
                              **({"targets": sref["targets"]} if "targets" in sref else {})})
        documents.append(
            {
                "doc_id": ref.get("doc_id", f"allsides:{ref['article_id']}"),
                "url": article.get("url"),
                "outlet": article.get("outlet"),
                "date": article.get("date"),
                "title": article.get("title"),
                "lang": "en",
                "source": "allsides",
                **{k: ref[k] for k in ("split", "annotator") if k in ref},
                "sentences": sentences,
            }
        )
    return documents


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m stance.corpus",
        description="Make annotation templates from the corpus, and turn filled templates into references.",
    )
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="corpus folder with articles.jsonl")
    sub = parser.add_subparsers(dest="command", required=True)
    tmpl = sub.add_parser("template", help="write guide-format documents (with text) for articles, to a scratch file")
    tmpl.add_argument("ids", nargs="+", help="article ids")
    tmpl.add_argument("-o", "--output", required=True, help="scratch JSONL file (keep it out of the repository)")
    refs = sub.add_parser("refs", help="turn filled templates into references (no text) and check them")
    refs.add_argument("input", help="filled template JSONL")
    refs.add_argument("-o", "--output", required=True, help="reference JSONL to write")
    args = parser.parse_args(argv)
    if args.command == "template":
        with open(args.output, "w", encoding="utf-8") as out:
            for document in template_documents(args.ids, args.corpus):
                out.write(json.dumps(document, ensure_ascii=False) + "\n")
    else:
        with open(args.input, encoding="utf-8") as src, open(args.output, "w", encoding="utf-8") as out:
            for line in src:
                if line.strip():
                    out.write(json.dumps(to_references(json.loads(line)), ensure_ascii=False) + "\n")
        load_references(args.output, args.corpus)  # verify every hash round-trips
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
