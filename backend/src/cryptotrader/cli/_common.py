"""Helpers shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from typer._click import Context, Parameter  # typer >= 0.29 vendors click
from typer._click.exceptions import BadOptionUsage
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import UserInputError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

SEVERAL_PAIRS = "a run over several pairs at once is not supported yet; run each pair on its own"
"""Why a candle file option takes one file: a file per pair is issue 15's multi-pair runs."""


class OnceCommand(TyperCommand):
    """A command refusing a single-value option given more than once, before it runs.

    Click keeps the last value of such an option: ``--pair BTC/USDT --pair ETH/USDT`` ran on
    ETH/USDT alone. Whether an option may repeat is declared on it: ``multiple`` (a ``list`` in
    typer, e.g. ``--param``) or ``count``; any other option given twice is refused in one line.
    """

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Refuse repeats (the parser lists each occurrence in order), then parse as usual."""
        _refuse_repeats(self, ctx, args)
        return super().parse_args(ctx, args)


class OnceGroup(TyperGroup):
    """A command group whose own options (those before the subcommand) refuse repeats too."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Refuse repeats of the group's options, then parse as usual."""
        _refuse_repeats(self, ctx, args)
        return super().parse_args(ctx, args)


def _refuse_repeats(command: TyperCommand | TyperGroup, ctx: Context, args: list[str]) -> None:
    _, _, order = command.make_parser(ctx).parse_args(list(args))  # it consumes its list
    seen: dict[Parameter, int] = {}
    for param in order:
        seen[param] = seen.get(param, 0) + 1
    for param, times in seen.items():
        if times > 1 and not _may_repeat(param):
            name = _option_name(param)
            what = "is a switch" if getattr(param, "is_flag", False) else "takes one value"
            raise BadOptionUsage(name, f"{name} {what} (given {times} times): give it once")


def _may_repeat(param: Parameter) -> bool:
    return param.param_type_name != "option" or bool(param.multiple or getattr(param, "count", 0))


def _option_name(param: Parameter) -> str:
    names = [*param.opts, *param.secondary_opts]
    return "/".join(n for n in names if n.startswith("--")) or "/".join(names)


class App(typer.Typer):
    """``typer.Typer`` whose commands are ``OnceCommand``s (a repeated option is refused)."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        """``typer.Typer.command`` with ``OnceCommand`` as the default class."""
        return super().command(name, cls=cls or OnceCommand, **kwargs)


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
