"""Step 1 of the pipeline: text -> sentences with character offsets.

Paragraphs are the text's lines, so a headline or a "Label:" line of its own is a
sentence; within a paragraph, pysbd finds the boundaries (it knows "U.S.", "Sen.",
"p.m." and friends). pysbd's own character spans drift on some inputs, so offsets
are recovered here by locating each sentence in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd
from pysbd.utils import TextSpan

__all__ = ["SentenceSpan", "spans_from_sentences", "split_sentences"]

_PARAGRAPH = re.compile(r"[^\n]+")
# A real sentence never starts with these; pysbd sometimes cuts before them
# ("Sen. Marco Rubio, R-Fla., said ..."), so such a piece rejoins its predecessor.
_CONTINUATION = re.compile(r"^[,;:)\]}»”’%]|^[a-z]")


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence as ``text[start:end]`` of the document it came from."""

    start: int
    end: int
    text: str


class _Segmenter(pysbd.Segmenter):
    """pysbd's segmenter, locating its sentences in the text with ``str.find``.

    pysbd compiles one regular expression per sentence to find it again in the text
    (a third of its time on news); this finds the same matches: the first occurrence,
    with its trailing whitespace, that ends after the previous sentence.
    """

    def sentences_with_char_spans(self, sentences: list[str]) -> list[TextSpan]:
        text = self.original_text
        spans, prior_end = [], 0
        for sent in sentences:
            if not sent:
                continue
            pos = 0
            while (start := text.find(sent, pos)) >= 0:
                end = start + len(sent)
                while end < len(text) and text[end].isspace():
                    end += 1
                if end > prior_end:
                    spans.append(TextSpan(text[start:end], start, end))
                    prior_end = end
                    break
                pos = end
        return spans


@lru_cache(maxsize=4)
def _segmenter(language: str) -> pysbd.Segmenter:
    return _Segmenter(language=language, clean=False)


def split_sentences(text: str, language: str = "en") -> list[SentenceSpan]:
    """Return the sentences of ``text`` with offsets into ``text``.

    Every non-blank line is split on its own, so line breaks always end a sentence.
    Leading and trailing whitespace is excluded from each span.

    >>> [s.text for s in split_sentences("Big Picture: The U.S. warned. He agreed.")]
    ['Big Picture: The U.S. warned.', 'He agreed.']
    """
    spans: list[SentenceSpan] = []
    segmenter = _segmenter(language)
    for paragraph in _PARAGRAPH.finditer(text):
        if not paragraph.group().strip():
            continue
        cursor = paragraph.start()
        pieces: list[tuple[int, int]] = []
        for piece in segmenter.segment(paragraph.group()):
            piece = piece.strip()
            if not piece:
                continue
            start = text.find(piece, cursor, paragraph.end())
            if start < 0:  # pysbd altered the text; fall back to the rest of the line
                start = cursor
                end = paragraph.end()
            else:
                end = start + len(piece)
            if pieces and _CONTINUATION.match(piece):
                pieces[-1] = (pieces[-1][0], end)
            else:
                pieces.append((start, end))
            cursor = end
            if end >= paragraph.end():
                break
        for start, end in pieces:
            chunk = text[start:end]
            # trim again: a merged span can carry inner whitespace at its edges
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            start, end = start + lead, end - trail
            if end > start:
                spans.append(SentenceSpan(start, end, text[start:end]))
    return spans


def spans_from_sentences(sentences: list[str]) -> tuple[str, list[SentenceSpan]]:
    """Return a document text made of given sentences (one per line) and their spans.

    Used where sentence boundaries are given, as in gold annotations.

    >>> spans_from_sentences(["A b.", "C d."])[1][1]
    SentenceSpan(start=5, end=9, text='C d.')
    """
    spans, pos = [], 0
    for sentence in sentences:
        spans.append(SentenceSpan(pos, pos + len(sentence), sentence))
        pos += len(sentence) + 1
    return "\n".join(sentences), spans
