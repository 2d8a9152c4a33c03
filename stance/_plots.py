"""What the views share: one colour per label, matplotlib behind a clear error, PNG embedding."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

from .errors import StanceError

__all__ = ["PALETTE", "figure_png", "label_colors", "png_data_uri", "pyplot"]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies; cycles past eight labels
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#999999"]


def label_colors(names: Sequence[str]) -> dict[str, str]:
    """Return a colour per label name, in schema order, the same in pages and plots."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def pyplot() -> Any:
    """Return ``matplotlib.pyplot`` on the file-only Agg backend, or fail naming the extra."""
    try:
        import matplotlib
    except ImportError:
        raise StanceError("E050") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_png(fig: Any, dpi: int = 110) -> bytes:
    """Return the figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def png_data_uri(png: bytes) -> str:
    """Return PNG bytes as a ``data:`` URI to embed in a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
