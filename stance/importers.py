"""Reading annotation-tool exports into the annotation guide's documents.

Three formats come in:

- **Label Studio** JSON export of a project set up with ``training/label_studio.xml``:
  a task is a sentence (``data.text``, with ``data.doc_id`` and ``data.sentence_index``,
  as ``stance suggest`` writes them) or a whole document (``data.text`` only). In its
  annotation, a ``stance`` region marks an actor's mention with one or more stance
  labels; the region's ``actor`` box gives the canonical name where the mention alone
  does not (a pronoun, a description); each line ``Actor: label, label`` of the
  ``implicit`` box is a claim whose holder has no word in the sentence.
- **doccano** JSONL export of a sequence-labelling project: ``text`` and ``label`` as
  ``[start, end, stance_label]`` spans over actor mentions.
- **CSV**, one row per claim: ``doc_id, sentence_id, text, actor, labels`` (labels
  separated by ``;``), optionally ``mentions``; a sentence without claims is a row
  with empty ``actor`` and ``labels``.

A mention becomes a canonical actor through the registry (aliases), else through the
candidate finder that runs at prediction time (pronouns, descriptions, surnames), else
it is taken as a new name when it looks like one. Every problem (a span that does not
match its text, an unknown label, an empty export, a duplicate sentence, an unresolved
mention) is collected with its file and item, and raised together as one
:class:`ImportProblems` (E069): nothing is dropped silently.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .actors import CandidateFinder
from .defaults import default_registry, default_schema
from .errors import StanceError
from .registry import ActorRegistry, fold
from .schema import LabelSchema
from .sentences import spans_from_sentences, split_sentences

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "ImportProblems",
    "documents_sentence_count",
    "read_annotations",
    "read_csv",
    "read_doccano",
    "read_label_studio",
]

FORMATS = ("label-studio", "doccano", "csv")
_SUFFIX_FORMAT = {".json": "label-studio", ".jsonl": "doccano", ".csv": "csv"}
# names of the controls in training/label_studio.xml
LS_STANCE, LS_ACTOR, LS_IMPLICIT = "stance", "actor", "implicit"
_PRONOUNS = {"he", "she", "him", "her", "his", "they", "them", "their", "it", "its", "we", "us", "our", "i", "you"}
_NAME = re.compile(r"^(?:[A-ZÀ-Þ][\w'’.\-]*)(?:\s+(?:[A-ZÀ-Þ][\w'’.\-]*|de|da|del|la|los|van|von|al|bin|y))*$")


class ImportProblems(StanceError):
    """Every problem found in one export (E069); ``errors`` holds them one by one."""

    def __init__(self, path: str | os.PathLike[str], errors: list[StanceError]) -> None:
        self.errors = errors
        listing = "\n".join(f"  {e}" for e in errors)
        super().__init__("E069", path=path, n=len(errors), problems=listing)


@dataclass
class _Span:
    """An annotated actor mention, offsets into its item's text."""

    start: int
    end: int
    labels: list[str]
    where: str
    actor: str | None = None


@dataclass
class _Claim:
    """A claim given directly (an implicit holder, a CSV row): actor name, labels, mention."""

    actor: str
    labels: list[str]
    where: str
    mention: str | None = None


@dataclass
class _Item:
    """One unit of an export: a sentence of a document (``index`` set) or a whole document."""

    where: str
    text: str
    doc_id: str
    index: int | None
    spans: list[_Span] = field(default_factory=list)
    claims: list[_Claim] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    has_ids: bool = True


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[StanceError] = []

    def add(self, code: str, **fields: Any) -> None:
        self.errors.append(StanceError(code, path=self.path, **fields))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportProblems(self.path, self.errors)


def _defaults(schema: LabelSchema | None, registry: ActorRegistry | None) -> tuple[LabelSchema, ActorRegistry]:
    schema = schema or default_schema()
    registry = registry or default_registry()
    return schema, registry


def _check_span(item_text: str, start: Any, end: Any, said: str | None, where: str, problems: _Problems) -> bool:
    """Return True when [start, end) is a proper span of ``item_text`` that matches ``said``."""
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        problems.add("E064", item=where, reason=f"span offsets must be integers, got {start!r}, {end!r}")
        return False
    found = item_text[start:end] if 0 <= start < end <= len(item_text) else ""
    if not found:
        problems.add("E061", item=where, what=f"span [{start}, {end}]",
                     reason=f"it is empty or outside the text (length {len(item_text)})")
        return False
    if said is not None and said != found:
        problems.add("E061", item=where, what=f"span [{start}, {end}]", reason=f"the export says {said!r}, the text has {found!r}")
        return False
    if found != found.strip() or (start > 0 and item_text[start - 1].isalnum() and found[0].isalnum()) or (
        end < len(item_text) and item_text[end].isalnum() and found[-1].isalnum()
    ):
        lo = max(0, start - 10)
        problems.add("E061", item=where, what=f"span [{start}, {end}]",
                     reason=f"{found!r} cuts a word or carries spaces (around {item_text[lo:end + 10]!r})")
        return False
    return True


def _looks_like_name(text: str) -> bool:
    return bool(_NAME.match(text.strip())) and fold(text.strip()) not in _PRONOUNS


def _resolve(
    mention: str, start: int, end: int, sentence: int, explicit: str | None,
    candidates: list[list[Any]], registry: ActorRegistry,
) -> str | None:
    """Return the canonical actor a mention at document offsets [start, end) refers to."""
    if explicit and explicit.strip():
        return registry.canonical(explicit.strip())
    actor = registry.get(mention)
    if actor is not None and actor.kind != "place":
        return actor.name
    overlapping = [
        (min(end, c.mention.end) - max(start, c.mention.start), c)
        for c in candidates[sentence] if c.mention is not None and c.mention.start < end and start < c.mention.end
    ]
    if overlapping:
        return max(overlapping, key=lambda x: x[0])[1].actor
    if fold(mention.strip()) in _PRONOUNS:  # the most recent person before it, as the finder does
        for j in range(sentence, -1, -1):
            people = [c for c in candidates[j] if c.kind == "person" and c.mention is not None
                      and (j < sentence or c.mention.start < start)]
            if people:
                return max(people, key=lambda c: c.mention.start).actor
        return None
    if _looks_like_name(mention):
        return mention.strip()
    return None


def _check_labels(labels: list[str], where: str, schema: LabelSchema, problems: _Problems) -> bool:
    ok = True
    for label in labels:
        if label not in schema:
            problems.add("E062", item=where, label=label, known=", ".join(schema.names))
            ok = False
    if not labels:
        problems.add("E064", item=where, reason="a claim without a stance label")
        ok = False
    return ok


def _add_claim(claims: dict[str, dict[str, Any]], actor: str, mention: str | None, labels: list[str], schema: LabelSchema) -> None:
    claim = claims.setdefault(actor, {"actor": actor, "mentions": mention, "labels": []})
    if claim["mentions"] is None and mention is not None:
        claim["mentions"] = mention
    claim["labels"] = [n for n in schema.names if n in claim["labels"] or n in labels]


def _assemble(
    items: list[_Item], path: Path, schema: LabelSchema, registry: ActorRegistry, problems: _Problems, source: str,
) -> list[dict[str, Any]]:
    """Return guide-format documents from parsed items, reporting problems as it goes."""
    groups: dict[str, list[_Item]] = {}
    seen: dict[tuple[Any, ...], str] = {}
    for item in items:
        if item.has_ids:
            key: tuple[Any, ...] = (item.doc_id, item.index)
            shown = f"(doc_id {item.doc_id!r}, sentence {item.index})" if item.index is not None else f"(doc_id {item.doc_id!r})"
        else:  # items without ids are told apart by their text
            key = ("text", " ".join(item.text.split()))
            shown = f"{key[1][:60]!r}"
        if key in seen:
            problems.add("E063", item=item.where, key=shown, first=seen[key])
            continue
        seen[key] = item.where
        group = groups.setdefault(item.doc_id, [])
        if group and (group[0].index is None) != (item.index is None):
            problems.add("E064", item=item.where,
                         reason=f"document {item.doc_id!r} mixes whole-document and sentence items")
            continue
        group.append(item)
    finder = CandidateFinder(registry)
    documents = []
    for doc_id, group in groups.items():
        if group[0].index is None:
            item = group[0]
            text, spans = item.text, split_sentences(item.text)
            placed = [(item, 0)]
        else:
            group.sort(key=lambda it: it.index)
            text, spans = spans_from_sentences([it.text for it in group])
            placed = [(it, spans[i].start) for i, it in enumerate(group)]
        if not spans:
            problems.add("E064", item=group[0].where, reason="the text has no sentence")
            continue
        candidates = finder.find(text, spans)
        per_sentence: list[dict[str, dict[str, Any]]] = [{} for _ in spans]
        sentence_items: list[str] = [""] * len(spans)
        for n, (item, offset) in enumerate(placed):
            if item.index is not None:
                sentence_items[n] = item.where
                home = [n]
            else:
                sentence_items = [item.where] * len(spans)
                home = []
            for span in item.spans:
                start, end = span.start + offset, span.end + offset
                j = home[0] if home else next((k for k, s in enumerate(spans) if s.start <= start and end <= s.end), None)
                if j is None:
                    problems.add("E064", item=span.where, reason=f"span [{span.start}, {span.end}] crosses a sentence boundary")
                    continue
                if not _check_labels(span.labels, span.where, schema, problems):
                    continue
                mention = text[start:end]
                actor = _resolve(mention, start, end, j, span.actor, candidates, registry)
                if actor is None:
                    hint = ("type the actor's name in the region's 'actor' box" if source == "label-studio"
                            else "doccano spans carry no actor name: mark a mention that names the actor, "
                            "or add this one as an alias in the actor registry (--registry)")
                    problems.add("E065", item=span.where, mention=mention, hint=hint)
                    continue
                _add_claim(per_sentence[j], actor, mention, span.labels, schema)
            for claim in item.claims:
                if not home:
                    problems.add("E064", item=claim.where, reason="a claim without a mention needs a sentence task "
                                 "(data.doc_id and data.sentence_index); in a whole-document task, mark a mention")
                    continue
                if not _check_labels(claim.labels, claim.where, schema, problems):
                    continue
                j = home[0]
                if claim.mention is not None and claim.mention not in spans[j].text:
                    problems.add("E061", item=claim.where, what="the mention",
                                 reason=f"the mention {claim.mention!r} is not in the sentence {spans[j].text[:80]!r}")
                    continue
                _add_claim(per_sentence[j], registry.canonical(claim.actor), claim.mention, claim.labels, schema)
        first = group[0]
        documents.append({
            "doc_id": doc_id,
            **first.meta,
            "imported_from": {"file": str(path), "format": source},
            "sentences": [
                {"text": s.text, "claims": list(claims.values()), "item": where}
                for s, claims, where in zip(spans, per_sentence, sentence_items)
            ],
        })
    return documents


# -- Label Studio -----------------------------------------------------------------------
def _ls_text_value(value: Any) -> str | None:
    text = value.get("text") if isinstance(value, dict) else None
    if isinstance(text, list):
        return "\n".join(str(t) for t in text)
    return text if isinstance(text, str) else None


def _parse_implicit(text: str, where: str, problems: _Problems) -> list[_Claim]:
    claims = []
    for k, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        actor, sep, labels = line.rpartition(":")
        if not sep or not actor.strip():
            problems.add("E064", item=f"{where}, implicit line {k}",
                         reason=f"{line!r} is not 'Actor: label, label'")
            continue
        names = [x.strip() for x in re.split(r"[,;]", labels) if x.strip()]
        claims.append(_Claim(actor.strip(), names, f"{where}, implicit line {k}"))
    return claims


def _ls_item(task: dict[str, Any], n: int, path: Path, problems: _Problems) -> _Item | None:
    where = f"task {task.get('id', n)}"
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"].strip():
        problems.add("E064", item=where, reason="no text in 'data.text' (the config reads $text)")
        return None
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        problems.add("E067", item=where)
        return None
    if len(annotations) > 1:
        truth = [a for a in annotations if a.get("ground_truth")]
        if len(truth) != 1:
            problems.add("E066", item=where, n=len(annotations))
            return None
        annotations = truth
    text = data["text"]
    doc_id, index = data.get("doc_id"), data.get("sentence_index")
    has_ids = doc_id is not None
    if index is not None and (not isinstance(index, int) or isinstance(index, bool) or doc_id is None):
        problems.add("E064", item=where, reason="'data.sentence_index' must be an integer, with 'data.doc_id'")
        return None
    meta = {k: v for k, v in data.items() if k not in ("text", "context", "doc_id", "sentence_index", "uncertainty")}
    item = _Item(where, text, str(doc_id) if has_ids else f"{path.stem}:{task.get('id', n)}", index, meta=meta, has_ids=has_ids)
    regions: dict[Any, _Span] = {}
    actors: dict[Any, tuple[str, str]] = {}
    for k, result in enumerate(annotations[0].get("result") or []):
        rwhere = f"{where}, result {k}"
        if not isinstance(result, dict):
            problems.add("E064", item=rwhere, reason="a result item must be an object")
            continue
        kind, name, value = result.get("type"), result.get("from_name"), result.get("value") or {}
        if kind == "labels" and name == LS_STANCE:
            labels = value.get("labels")
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                problems.add("E064", item=rwhere, reason="'value.labels' must be a list of label names")
                continue
            start, end = value.get("start"), value.get("end")
            if _check_span(text, start, end, value.get("text"), rwhere, problems):
                span = _Span(start, end, labels, rwhere)
                regions[result.get("id", rwhere)] = span
                item.spans.append(span)
        elif kind == "textarea" and name == LS_ACTOR:
            typed = _ls_text_value(value)
            if typed and typed.strip():
                actors[result.get("id")] = (typed.strip(), rwhere)
        elif kind == "textarea" and name == LS_IMPLICIT:
            item.claims.extend(_parse_implicit(_ls_text_value(value) or "", rwhere, problems))
        else:
            problems.add("E064", item=rwhere, reason=(
                f"a '{kind}' result from '{name}' is not made by training/label_studio.xml "
                f"(it has '{LS_STANCE}' labels, a per-region '{LS_ACTOR}' box and an '{LS_IMPLICIT}' box)"))
    for region_id, (name, rwhere) in actors.items():
        if region_id in regions:
            regions[region_id].actor = name
        else:
            problems.add("E064", item=rwhere, reason=f"actor {name!r} is typed for a region with no stance label")
    return item


def read_label_studio(
    path: str | os.PathLike[str], schema: LabelSchema | None = None, registry: ActorRegistry | None = None,
) -> list[dict[str, Any]]:
    """Return the annotated documents of a Label Studio JSON export.

    The project must use ``training/label_studio.xml``. Sentence tasks (with
    ``data.doc_id`` and ``data.sentence_index``, as ``stance suggest`` writes) are
    grouped into documents in sentence order; a task without ids is one document,
    split into sentences by the library's splitter.

    >>> docs = read_label_studio("export.json")                # doctest: +SKIP

    Raises:
        StanceError: E001 missing file, E002 invalid JSON, E068 not a list of tasks,
            E060 empty export; ImportProblems (E069) listing every E061-E067 found.
    """
    path = Path(path)
    schema, registry = _defaults(schema, registry)
    if not path.is_file():
        raise StanceError("E001", path=path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise StanceError("E002", path=path, line=exc.lineno, reason=exc.msg) from None
    except UnicodeDecodeError as exc:
        raise StanceError("E009", path=path, line=1, reason=exc.reason) from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise StanceError("E068", path=path, reason="not a Label Studio JSON export (expected a list of tasks)")
    if not tasks:
        raise StanceError("E060", path=path)
    problems = _Problems(path)
    items = []
    for n, task in enumerate(tasks, 1):
        if not isinstance(task, dict):
            problems.add("E064", item=f"task {n}", reason="a task must be a JSON object")
            continue
        item = _ls_item(task, n, path, problems)
        if item is not None:
            items.append(item)
    documents = _assemble(items, path, schema, registry, problems, "label-studio")
    problems.raise_if_any()
    return documents


# -- doccano ----------------------------------------------------------------------------
def read_doccano(
    path: str | os.PathLike[str], schema: LabelSchema | None = None, registry: ActorRegistry | None = None,
) -> list[dict[str, Any]]:
    """Return the annotated documents of a doccano sequence-labelling JSONL export.

    Each line has ``text`` and ``label`` (``labels`` in older doccano) as
    ``[start, end, stance_label]`` spans over actor mentions; several spans on the same
    mention give one claim with several labels. ``doc_id`` and ``sentence_index``
    (top level or under ``meta``) group sentence lines into documents; a line without
    them is one document.

    >>> docs = read_doccano("admin.jsonl")                     # doctest: +SKIP

    Raises:
        StanceError: E001, E060 empty export; ImportProblems (E069) listing every problem.
    """
    path = Path(path)
    schema, registry = _defaults(schema, registry)
    if not path.is_file():
        raise StanceError("E001", path=path)
    problems = _Problems(path)
    items = []
    lines = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            where = f"line {number}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.add("E064", item=where, reason=f"cannot decode bytes as UTF-8 ({exc.reason})")
                continue
            if not line.strip():
                continue
            lines += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.add("E064", item=where, reason=f"invalid JSON ({exc.msg})")
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
                problems.add("E064", item=where, reason="no text in field 'text'")
                continue
            if "id" in record:
                where = f"line {number} (id {record['id']})"
            meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
            doc_id = record.get("doc_id", meta.get("doc_id"))
            index = record.get("sentence_index", meta.get("sentence_index"))
            if index is not None and (not isinstance(index, int) or isinstance(index, bool) or doc_id is None):
                problems.add("E064", item=where, reason="'sentence_index' must be an integer, with 'doc_id'")
                continue
            has_ids = doc_id is not None
            keep = {k: v for k, v in {**meta, **record}.items()
                    if k not in ("text", "label", "labels", "id", "meta", "Comments", "doc_id", "sentence_index")}
            item = _Item(where, record["text"], str(doc_id) if has_ids else f"{path.stem}:{record.get('id', number)}",
                         index, meta=keep, has_ids=has_ids)
            spans = record.get("label", record.get("labels", []))
            if not isinstance(spans, list):
                problems.add("E064", item=where, reason="'label' must be a list of [start, end, label] spans")
                continue
            by_offsets: dict[tuple[int, int], _Span] = {}
            for k, span in enumerate(spans):
                swhere = f"{where}, span {k}"
                if not (isinstance(span, list) and len(span) == 3 and isinstance(span[2], str)):
                    reason = ("a text-classification label; stance needs a sequence-labelling export of actor mentions"
                              if isinstance(span, str) else f"{span!r} is not [start, end, label]")
                    problems.add("E064", item=swhere, reason=reason)
                    continue
                start, end, label = span
                if not _check_span(item.text, start, end, None, swhere, problems):
                    continue
                if (start, end) in by_offsets:
                    by_offsets[(start, end)].labels.append(label)
                else:
                    by_offsets[(start, end)] = _Span(start, end, [label], swhere)
            item.spans = list(by_offsets.values())
            items.append(item)
    if not lines:
        raise StanceError("E060", path=path)
    documents = _assemble(items, path, schema, registry, problems, "doccano")
    problems.raise_if_any()
    return documents


# -- CSV --------------------------------------------------------------------------------
CSV_COLUMNS = ("doc_id", "sentence_id", "text", "actor", "labels")


def _sentence_order(key: str) -> tuple[int, Any]:
    return (0, int(key)) if key.strip().lstrip("-").isdigit() else (1, key)


def read_csv(
    path: str | os.PathLike[str], schema: LabelSchema | None = None, registry: ActorRegistry | None = None,
) -> list[dict[str, Any]]:
    """Return the annotated documents of a CSV file with one row per claim.

    Columns: ``doc_id``, ``sentence_id`` (sentences are ordered by it, numerically when
    it is a number), ``text``, ``actor``, ``labels`` (``;``-separated) and, optionally,
    ``mentions``. A sentence without claims is one row with empty actor and labels.

    >>> docs = read_csv("claims.csv")                          # doctest: +SKIP

    Raises:
        StanceError: E001, E012 missing column, E060 no rows; ImportProblems (E069).
    """
    path = Path(path)
    schema, registry = _defaults(schema, registry)
    if not path.is_file():
        raise StanceError("E001", path=path)
    problems = _Problems(path)
    sentences: dict[tuple[str, str], _Item] = {}
    claim_rows: dict[tuple[str, str, str], str] = {}
    rows = 0
    with path.open(encoding="utf-8", newline="", errors="strict") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for column in CSV_COLUMNS:
            if column not in columns:
                raise StanceError("E012", path=path, field=column, columns=", ".join(columns))
        try:
            for record in reader:
                rows += 1
                where = f"row {reader.line_num}"
                doc_id, sid = (record.get("doc_id") or "").strip(), (record.get("sentence_id") or "").strip()
                text = record.get("text") or ""
                if not doc_id or not sid or not text.strip():
                    problems.add("E064", item=where, reason="doc_id, sentence_id and text must not be empty")
                    continue
                item = sentences.get((doc_id, sid))
                if item is None:
                    item = sentences[(doc_id, sid)] = _Item(where, text, doc_id, 0)
                    item.meta = {"_sid": sid}
                elif item.text != text:
                    problems.add("E063", item=where, key=f"(doc_id {doc_id!r}, sentence_id {sid!r}) with another text",
                                 first=item.where)
                    continue
                actor = (record.get("actor") or "").strip()
                labels = [x.strip() for x in re.split(r"[;|]", record.get("labels") or "") if x.strip()]
                if not actor and not labels:
                    continue  # a sentence without claims
                if not actor:
                    problems.add("E064", item=where, reason="labels without an actor")
                    continue
                canonical = registry.canonical(actor)
                if (doc_id, sid, canonical) in claim_rows:
                    problems.add("E063", item=where, key=f"claim (doc_id {doc_id!r}, sentence_id {sid!r}, actor {canonical!r})",
                                 first=claim_rows[(doc_id, sid, canonical)])
                    continue
                claim_rows[(doc_id, sid, canonical)] = where
                mention = (record.get("mentions") or "").strip() or None
                item.claims.append(_Claim(actor, labels, where, mention))
        except UnicodeDecodeError as exc:
            problems.add("E064", item=f"row {reader.line_num + 1}", reason=f"cannot decode bytes as UTF-8 ({exc.reason})")
    if not rows:
        raise StanceError("E060", path=path)
    by_doc: dict[str, list[_Item]] = {}
    for item in sentences.values():
        by_doc.setdefault(item.doc_id, []).append(item)
    items = []
    for group in by_doc.values():
        group.sort(key=lambda it: _sentence_order(it.meta["_sid"]))
        for i, item in enumerate(group):
            item.index, item.meta = i, {}
            items.append(item)
    documents = _assemble(items, path, schema, registry, problems, "csv")
    problems.raise_if_any()
    return documents


def read_annotations(
    path: str | os.PathLike[str],
    format: str | None = None,
    schema: LabelSchema | None = None,
    registry: ActorRegistry | None = None,
) -> list[dict[str, Any]]:
    """Return the documents of an annotation export; ``format`` defaults from the suffix.

    ``.json`` is read as Label Studio, ``.jsonl`` as doccano, ``.csv`` as CSV.

    >>> import stance
    >>> docs = stance.read_annotations("export.json")          # doctest: +SKIP
    """
    path = Path(path)
    format = format or _SUFFIX_FORMAT.get(path.suffix.lower())
    readers = {"label-studio": read_label_studio, "doccano": read_doccano, "csv": read_csv}
    if format not in readers:
        raise StanceError("E068", path=path, reason=f"unknown annotation format for '{path.suffix}' "
                          f"(name one with --format: {', '.join(FORMATS)})")
    return readers[format](path, schema=schema, registry=registry)


def documents_sentence_count(documents: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Return (sentences, claims) in ``documents``."""
    sentences = sum(len(d["sentences"]) for d in documents)
    claims = sum(len(s["claims"]) for d in documents for s in d["sentences"])
    return sentences, claims

