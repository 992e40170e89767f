"""``cryptotrader data``: download, import and inspect candle data."""

from __future__ import annotations

import typer

data_app = typer.Typer(help="Download, import and inspect OHLCV candle data.", no_args_is_help=True)
