"""Helpers shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import UserInputError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

SEVERAL_PAIRS = "a run over several pairs at once is not supported yet; run each pair on its own"
"""Why a candle file option takes one file: a file per pair is issue 15's multi-pair runs."""


def parse_timeframe(text: str | None) -> Timeframe | None:
    """``--timeframe`` value, or None when omitted (raises UnknownNameError with a hint)."""
    return None if text is None else Timeframe.parse(text)


def display_path(path: Path) -> str:
    """A path as the user typed it or relative to the working directory."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def file_option(*names: str, help: str) -> Any:
    """A file option, declared ``list[Path]`` so that ``one_file`` sees a repeat, shown as one path.

    Click keeps the last value of a single-value option given twice: only a list lets the
    command refuse the repeat instead of dropping the first file silently.
    """
    return typer.Option(*names, help=help, metavar="<path>")


def one_file(option: str, given: Sequence[Path], why: str = "give it once") -> Path:
    """The one file of a file option; several are refused, never the last one kept silently.

    ``given`` is a ``file_option``'s list.

    Raises:
        UserInputError: no file, or several.
    """
    if len(given) != 1:
        names = ", ".join(p.name for p in given) or "none"
        raise UserInputError(f"{option} takes one file ({len(given)} given: {names}): {why}")
    return given[0]


def optional_file(
    option: str, given: Sequence[Path] | None, why: str = "give it once"
) -> Path | None:
    """``one_file`` for an option that may be left out (None then).

    Raises:
        UserInputError: several files.
    """
    return one_file(option, given, why) if given else None
