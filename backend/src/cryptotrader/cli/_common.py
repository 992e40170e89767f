"""Helpers shared by the CLI commands."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from cryptotrader.domain.timeframes import Timeframe

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def parse_timeframe(text: str | None) -> Timeframe | None:
    """``--timeframe`` value, or None when omitted (raises UnknownNameError with a hint)."""
    return None if text is None else Timeframe.parse(text)


def display_path(path: Path) -> str:
    """A path as the user typed it or relative to the working directory."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
