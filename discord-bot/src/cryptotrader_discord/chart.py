"""The equity curve of a backtest as a PNG (Pillow): posted with the /backtest result."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from PIL import Image, ImageDraw

WIDTH, HEIGHT, MARGIN = 800, 320, 40


def equity_png(
    points: Sequence[Decimal], *, title: str, span: tuple[str, str] | None = None
) -> bytes:
    """A line chart of ``points`` (equity in order), with min / max labels.

    ``span`` labels the time axis (its first and last moment, as text).

    Raises:
        ValueError: fewer than two points.

    """
    if len(points) < 2:
        raise ValueError("an equity curve needs at least two points")
    values = [float(p) for p in points]
    low, high = min(values), max(values)
    flat = high == low
    if flat:  # a flat curve (no trade) is drawn across the middle, labelled once
        low, high = low - 1.0, high + 1.0
    height = high - low
    image = Image.new("RGB", (WIDTH, HEIGHT), (47, 49, 54))
    draw = ImageDraw.Draw(image)
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    step = inner_w / (len(values) - 1)
    line = [
        (MARGIN + i * step, MARGIN + inner_h - (v - low) / height * inner_h)
        for i, v in enumerate(values)
    ]
    draw.line([(MARGIN, MARGIN), (MARGIN, HEIGHT - MARGIN)], fill=(114, 118, 125))
    draw.line([(MARGIN, HEIGHT - MARGIN), (WIDTH - MARGIN, HEIGHT - MARGIN)], fill=(114, 118, 125))
    colour = (46, 204, 113) if values[-1] >= values[0] else (231, 76, 60)
    draw.line(line, fill=colour, width=2)
    draw.text((MARGIN, 10), title, fill=(255, 255, 255))
    grey = (200, 200, 200)
    if flat:
        draw.text((MARGIN + 4, line[0][1] - 16), f"{values[0]:,.2f}", fill=grey)
    else:
        draw.text((MARGIN + 4, MARGIN), f"{high:,.2f}", fill=grey)
        draw.text((MARGIN + 4, HEIGHT - MARGIN - 14), f"{low:,.2f}", fill=grey)
    if span is not None:
        draw.text((MARGIN, HEIGHT - MARGIN + 6), span[0], fill=grey)
        right = WIDTH - MARGIN - draw.textlength(span[1])
        draw.text((right, HEIGHT - MARGIN + 6), span[1], fill=grey)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
