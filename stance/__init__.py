"""stance: who takes which position, sentence by sentence, in news text.

The flow, one module per step::

    text -> sentences (stance.sentences) -> candidate actors (stance.actors)
         -> (sentence, candidate) pairs (stance.pairs) -> model scores (stance.model)
         -> claims, Doc (stance.labeler, stance.document) -> records (stance.records)
         -> corpora, streaming and resumable (stance.batch, stance.ray)

Beside it: training (stance.config, stance.training), calibration, evaluation, model
selection (stance.splits, stance.selection), loading any model folder (stance.loading).

>>> import stance                                          # doctest: +SKIP
>>> labeler = stance.load()                                # doctest: +SKIP
>>> doc = labeler("Petro warned against foreign military action.")  # doctest: +SKIP
"""

import os as _os

__version__ = "0.1.0"

# oneDNN (and PyTorch's ideep layer over it) keep a compiled kernel per input shape, up to
# 1,024 each, with their buffers. Labelling a corpus feeds the encoder ever new (batch,
# length) shapes, and those caches alone grew the process by about 1 GB; bounded, peak
# memory stays flat at no measured cost in speed (eval/bench_memory.py). Set either
# variable before importing stance to choose otherwise.
_os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
_os.environ.setdefault("LRU_CACHE_CAPACITY", "1")

from .active import suggest, to_label_studio
from .batch import label_corpus, label_dataset
from .config import TrainingConfig
from .data import read_documents, write_documents
from .document import Candidate, Claim, Doc, Mention, Sentence
from .ensemble import Ensemble, train_ensemble
from .errors import StanceError
from .evaluation import evaluate, score
from .importers import read_annotations
from .labeler import Labeler
from .loading import load
from .registry import Actor, ActorRegistry
from .schema import Label, LabelSchema
from .selection import cross_validate
from .training import train

__all__ = [
    "Actor",
    "ActorRegistry",
    "Candidate",
    "Claim",
    "Doc",
    "Ensemble",
    "Label",
    "LabelSchema",
    "Labeler",
    "Mention",
    "Sentence",
    "StanceError",
    "TrainingConfig",
    "__version__",
    "cross_validate",
    "evaluate",
    "label_corpus",
    "label_dataset",
    "load",
    "read_annotations",
    "read_documents",
    "score",
    "suggest",
    "to_label_studio",
    "train",
    "train_ensemble",
    "write_documents",
]
