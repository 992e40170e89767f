"""Terminal tables that read at 80 columns: cells never cut, never wrapped.

Rich shrinks a table wider than the terminal by folding or cutting its cells, so a date became
``2024-03-…`` and a price wrapped over two lines. Here every cell is ``no_wrap`` and a table that
does not fit drops its least useful columns first (a label column holding one value on every
row goes first, its value moved to the title) and names them below; the full detail is at wider
widths and in ``--json``. Here, below both the CLI and the optimiser, so that both can use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

Justify = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, its cells, and how long it stays when space runs out."""

    header: str
    cells: Sequence[str]
    keep: int
    """Columns with the lowest ``keep`` are dropped first when the table is too wide."""
    justify: Justify = "left"
    label: bool = False
    """A label (bot, pair): holding one value on every row, it goes first, said in the title."""
    style: str = ""


def fitted_table(title: str, columns: Sequence[Column], width: int) -> Table:
    """A table of ``columns`` no wider than ``width``: the lowest ``keep`` columns go first.

    A label column whose cells all hold one value goes before any other, its value added to the
    title (the pair, when every trade listed is of one pair); the other columns left out are
    named in the caption. The last column standing is always kept.
    """
    shown = list(columns)
    constant: list[str] = []
    hidden: list[str] = []
    while True:
        left_out = [c.header for c in columns if c.header in hidden]  # in the table's order
        caption = f"not shown at {width} columns: {', '.join(left_out)}" if hidden else None
        table = _table(_titled(title, constant), caption, shown, width)
        if len(shown) == 1 or _width(table) <= width:
            return table
        victim = min(shown, key=lambda c: (c.keep if not _same(c) else -1, -shown.index(c)))
        if _same(victim):
            constant.append(victim.cells[0])
        else:
            hidden.append(victim.header)
        shown.remove(victim)


def _same(column: Column) -> bool:
    return column.label and len(column.cells) > 1 and len(set(column.cells)) == 1


def _titled(title: str, constant: list[str]) -> str:
    return title if not constant else f"{title}: {', '.join(constant)}"


def _table(title: str, caption: str | None, columns: Sequence[Column], width: int) -> Table:
    # as wide as its title (up to the terminal's): a title wider than its table would wrap
    widest = max(len(title), len(caption or ""))
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        min_width=min(widest, width),
    )
    for column in columns:
        table.add_column(column.header, justify=column.justify, style=column.style, no_wrap=True)
    for row in zip(*(c.cells for c in columns), strict=True):
        table.add_row(*row)
    return table


def _width(table: Table) -> int:
    """The width ``table`` needs to show every cell in full."""
    console = Console(width=10_000)
    return Measurement.get(console, console.options, table).maximum
