"""The ``cryptotrader`` command (typer + rich).

Every command reports bad input as one line on stderr and exits with code 2; nothing else ever
prints a traceback to the user (``CRYPTOTRADER_DEBUG=1`` shows it for bug reports).
"""

from __future__ import annotations

import gc
import os
import sys

# Plain help: typer's rich help loads rich.markdown and markdown-it (~0.2 s of the 0.3 s --help
# budget, measured in docs/BENCHMARKS.md); TYPER_USE_RICH=1 brings the panels back.
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # after the switch above
from typer._click import ClickException  # typer >= 0.29 vendors click

from cryptotrader import collector
from cryptotrader.cli._common import App
from cryptotrader.cli.api import api_command, token_app, user_app
from cryptotrader.cli.backtest import backtest_app
from cryptotrader.cli.bots import bots_app
from cryptotrader.cli.data import data_app
from cryptotrader.cli.db import db_app
from cryptotrader.cli.indicators import indicators_command
from cryptotrader.cli.optimize import optimize_command
from cryptotrader.cli.pairs import pairs_app
from cryptotrader.cli.run import demo_command, engine_command, run_command, trades_command
from cryptotrader.errors import OrderRejected, TemporaryError, TraderError, UserInputError

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1

app = App(
    name="cryptotrader",
    help="CryptoTrader: indicators, backtests and trading bots for crypto markets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(backtest_app, name="backtest")
app.add_typer(data_app, name="data")
app.add_typer(db_app, name="db")
app.command("indicators")(indicators_command)
app.command("optimize")(optimize_command)
app.command("run")(run_command)
app.command("engine")(engine_command)
app.command("trades")(trades_command)
app.add_typer(bots_app, name="bots")
app.add_typer(pairs_app, name="pairs")
app.command("demo")(demo_command)
app.command("api")(api_command)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


def _fail(message: str, code: int) -> None:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)  # noqa: T201 - one line on stderr
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn every error into one line and an exit code.

    ``argv`` None is the process's own command line: the process ends with the command.
    """
    if argv is None:
        collector.own_process()
    try:
        _run(argv)
    finally:
        if argv is None:
            _skip_the_last_collections()


def _skip_the_last_collections() -> None:
    """Let the process end without the garbage collector walking its whole heap again.

    At exit Python runs full collections over every object of every module loaded (FastAPI,
    SQLAlchemy, pandas, numba...): after ``run --api`` stopped cleanly, that alone took 4-6 s of
    a Ctrl-C on a loaded machine. The command is over and has closed what it opened; frozen
    objects are still released with their modules, only the walks are skipped.
    """
    gc.freeze()


def _run(argv: list[str] | None) -> None:
    try:
        code = app(args=argv, prog_name="cryptotrader", standalone_mode=False)
    except ClickException as exc:  # usage errors: missing option, bad option value
        _fail(exc.format_message(), EXIT_BAD_INPUT)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except (UserInputError, TemporaryError, OrderRejected) as exc:
        _debug_traceback()
        _fail(str(exc), EXIT_BAD_INPUT)
    except TraderError as exc:
        _debug_traceback()
        _fail(str(exc), EXIT_FAILURE)
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        _debug_traceback()
        _fail(f"internal error: {exc!r} (set CRYPTOTRADER_DEBUG=1 for details)", EXIT_FAILURE)
    sys.exit(code if isinstance(code, int) else 0)


def _debug_traceback() -> None:
    if os.environ.get("CRYPTOTRADER_DEBUG"):
        import traceback  # noqa: PLC0415

        traceback.print_exc()
