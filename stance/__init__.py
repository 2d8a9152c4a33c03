"""stance: who takes which position, sentence by sentence, in news text.

The flow, one module per step::

    text -> sentences (stance.sentences) -> candidate actors (stance.actors)
         -> model scores (stance.model) -> claims and records (stance.labeler, stance.document)

>>> import stance                                          # doctest: +SKIP
>>> labeler = stance.load()                                # doctest: +SKIP
>>> doc = labeler("Petro warned against foreign military action.")  # doctest: +SKIP
"""

__version__ = "0.1.0"

from .active import suggest, to_label_studio
from .batch import label_corpus, label_dataset
from .data import read_documents, write_documents
from .document import Candidate, Claim, Doc, Mention, Sentence
from .errors import StanceError
from .evaluation import cross_validate, evaluate, score
from .importers import read_annotations
from .labeler import Labeler, load
from .registry import Actor, ActorRegistry
from .schema import Label, LabelSchema
from .training import train

__all__ = [
    "Actor",
    "ActorRegistry",
    "Candidate",
    "Claim",
    "Doc",
    "Label",
    "LabelSchema",
    "Labeler",
    "Mention",
    "Sentence",
    "StanceError",
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
    "write_documents",
]
