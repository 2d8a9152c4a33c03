"""Reading and checking annotated data in the annotation guide's JSONL format.

Every problem is reported as a :class:`~stance.errors.StanceError` naming the file,
line and field. Reference files (annotations of an external corpus, see
:mod:`stance.corpus`) are recognised and resolved against the corpus.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .corpus import load_references
from .errors import StanceError
from .jsonl import iter_json_lines
from .schema import LabelSchema

__all__ = ["file_sha256", "iter_json_lines", "read_documents", "write_documents"]


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file's bytes (recorded in training metadata)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_document(doc: Any, path: Path, line: int, schema: LabelSchema | None) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise StanceError("E004", path=path, line=line, field="<document>", expected="an object", got=_type_name(doc))
    if "sentences" not in doc:
        raise StanceError("E003", path=path, line=line, field="sentences")
    sentences = doc["sentences"]
    if not isinstance(sentences, list):
        raise StanceError("E004", path=path, line=line, field="sentences", expected="a list", got=_type_name(sentences))
    doc_id = doc.get("doc_id", f"{path.name}:{line}")
    if not sentences:
        raise StanceError("E005", path=path, line=line, doc_id=doc_id)
    for i, sentence in enumerate(sentences):
        where = f"sentences[{i}]"
        if not isinstance(sentence, dict):
            raise StanceError("E004", path=path, line=line, field=where, expected="an object", got=_type_name(sentence))
        if "text" not in sentence:
            raise StanceError("E003", path=path, line=line, field=f"{where}.text")
        if not isinstance(sentence["text"], str):
            raise StanceError("E004", path=path, line=line, field=f"{where}.text", expected="a string", got=_type_name(sentence["text"]))
        claims = sentence.get("claims", [])
        if not isinstance(claims, list):
            raise StanceError("E004", path=path, line=line, field=f"{where}.claims", expected="a list", got=_type_name(claims))
        for j, claim in enumerate(claims):
            cwhere = f"{where}.claims[{j}]"
            if not isinstance(claim, dict):
                raise StanceError("E004", path=path, line=line, field=cwhere, expected="an object", got=_type_name(claim))
            for key in ("actor", "labels"):
                if key not in claim:
                    raise StanceError("E003", path=path, line=line, field=f"{cwhere}.{key}")
            if not isinstance(claim["actor"], str) or not claim["actor"].strip():
                raise StanceError("E004", path=path, line=line, field=f"{cwhere}.actor", expected="a non-empty string", got=_type_name(claim["actor"]))
            labels = claim["labels"]
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                raise StanceError("E004", path=path, line=line, field=f"{cwhere}.labels", expected="a list of strings", got=_type_name(labels))
            if not labels:
                raise StanceError("E011", path=path, line=line, index=i, claim=j)
            if schema is not None:
                for label in labels:
                    if label not in schema:
                        raise StanceError("E006", path=path, line=line, index=i, label=label, known=", ".join(schema.names))
            mention = claim.get("mentions")
            if mention is not None and not isinstance(mention, str):
                raise StanceError("E004", path=path, line=line, field=f"{cwhere}.mentions", expected="a string or null", got=_type_name(mention))
        if "targets" in sentence:
            _check_targets(sentence, path, line, i)
    return doc


def _check_targets(sentence: dict[str, Any], path: Path, line: int, index: int) -> None:
    """Check a sentence's given targets: actors to score instead of the candidate finder's."""
    targets = sentence["targets"]
    if not isinstance(targets, list):
        raise StanceError("E004", path=path, line=line, field=f"sentences[{index}].targets", expected="a list", got=_type_name(targets))
    text = sentence["text"]
    for k, target in enumerate(targets):
        def bad(reason: str, k: int = k) -> StanceError:
            return StanceError("E070", path=path, line=line, index=index, target=k, reason=reason)

        if isinstance(target, str):
            target = {"actor": target}
        if not isinstance(target, dict):
            raise bad(f"must be an actor name or an object, got {_type_name(target)}")
        if not isinstance(target.get("actor"), str) or not target["actor"].strip():
            raise bad("needs a non-empty string 'actor'")
        mention, start = target.get("mentions"), target.get("start")
        if mention is not None and (not isinstance(mention, str) or not mention):
            raise bad("'mentions' must be a non-empty string or null")
        if start is not None and (mention is None or not isinstance(start, int) or isinstance(start, bool)):
            raise bad("'start' must be an integer offset of 'mentions' in the sentence")
        scores = target.get("scores")
        if scores is not None and (not isinstance(scores, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in scores.values())):
            raise bad("'scores' must be an object of label: probability in [0, 1]")
        if mention is not None:
            at = text.find(mention) if start is None else start
            if at < 0 or text[at : at + len(mention)] != mention:
                where = "anywhere" if start is None else f"at offset {start}"
                raise bad(f"mention {mention!r} is not in the sentence text {where}")


def _is_reference_file(first: dict[str, Any]) -> bool:
    sentences = first.get("sentences") or [{}]
    return "article_id" in first and isinstance(sentences[0], dict) and "sha1" in sentences[0]


def read_documents(
    path: str | os.PathLike[str],
    schema: LabelSchema | None = None,
    corpus: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """Return the annotated documents of a guide-format JSONL file, checked.

    Fields the guide does not define are kept and ignored. A file of corpus
    references is resolved against the corpus each line names (see
    :func:`stance.corpus.load_references`), or ``corpus`` when given.

    Raises:
        StanceError: E001 missing file, E002 bad JSON, E003 missing field, E004 wrong
            type, E005 empty document, E006 unknown label, E007 empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise StanceError("E001", path=path)
    documents = []
    for number, doc in iter_json_lines(path):
        if not documents and isinstance(doc, dict) and _is_reference_file(doc):
            documents = load_references(path, corpus)
            for i, resolved in enumerate(documents):
                _check_document(resolved, path, i + 1, schema)
            return documents
        documents.append(_check_document(doc, path, number, schema))
    if not documents:
        raise StanceError("E007", path=path)
    return documents


def write_documents(documents: list[dict[str, Any]], path: str | os.PathLike[str]) -> None:
    """Write documents as JSON Lines."""
    with Path(path).open("w", encoding="utf-8") as out:
        for doc in documents:
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
