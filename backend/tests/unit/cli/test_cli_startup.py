"""The CLI starts light: help pages and argument errors load no engine, database or exchange code.

Measured rather than timed: a fresh interpreter prints each help page, then lists which heavy
packages it imported. Timings are in docs/BENCHMARKS.md (a test must not depend on the machine's
speed); what keeps them low is that none of these packages is on the path to a help page.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cryptotrader.marketdata import write_ohlcv
from tests.support.builders import random_frame

HEAVY = (
    "pandas",
    "numpy",
    "numba",
    "sqlalchemy",
    "alembic",
    "argon2",
    "ccxt",
    "redis",
    "fastapi",
    "pydantic_settings",
    "matplotlib",
    "optuna",
    "cryptotrader.engines",
    "cryptotrader.persistence.database",
    "cryptotrader.runtime",
)

HELP_PAGES = [
    [],
    ["run"],
    ["engine"],
    ["demo"],
    ["trades"],
    ["bots"],
    ["pairs"],
    ["pairs", "add"],
    ["backtest"],
    ["backtest", "run"],
    ["backtest", "compare"],
    ["backtest", "portfolio"],
    ["data"],
    ["data", "download"],
    ["data", "import"],
    ["data", "info"],
    ["data", "export"],
    ["db", "upgrade"],
    ["indicators"],
    ["optimize"],
    ["api"],
    ["user", "create"],
    ["token", "create"],
]

_PROBE = """
import contextlib, io, json, sys
from cryptotrader.cli import main
pages, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
report = []
for words in pages:
    out = io.StringIO()
    code = None
    with contextlib.redirect_stdout(out):
        try:
            main(words + ["--help"])
        except SystemExit as exc:
            code = exc.code
    report.append({"words": words, "code": code, "help": out.getvalue()})
print(json.dumps({"pages": report, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def _probe(heavy: tuple[str, ...]) -> dict[str, Any]:
    probe = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", _PROBE, json.dumps(HELP_PAGES), json.dumps(heavy)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report: dict[str, Any] = json.loads(probe.stdout)
    return report


def test_every_help_page_prints_without_loading_a_heavy_package() -> None:
    report = _probe(HEAVY)
    for page in report["pages"]:
        assert page["code"] == 0, page["words"]
        assert f"Usage: cryptotrader {' '.join(page['words'])}".rstrip() in page["help"]
    assert report["loaded"] == []


def test_the_probe_sees_what_a_help_page_loads() -> None:
    assert _probe(("typer", "cryptotrader.cli.backtest"))["loaded"] == [
        "typer",
        "cryptotrader.cli.backtest",
    ]


# What a cold backtest of a plain CSV must not load (docs/BENCHMARKS.md: the 1 s target):
# pandas (Arrow reads the file, TA-Lib is imported without it), numba (short runs walk the bars
# in Python), and nothing of the database, the exchanges or the network.
NEEDED_BY_A_BACKTEST = ("numpy", "pydantic_settings")
NOT_FOR_A_BACKTEST = (
    *(m for m in HEAVY if m not in NEEDED_BY_A_BACKTEST and not m.startswith("cryptotrader.")),
    "httpx",
    "requests",
    "pytrends",
)

_BACKTEST_PROBE = """
import contextlib, io, json, sys
from cryptotrader.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(json.loads(sys.argv[1]))
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "loaded": sorted(sys.modules)}))
"""


def test_a_backtest_of_a_plain_csv_loads_neither_pandas_nor_numba(tmp_path: Path) -> None:
    path = tmp_path / "binance_BTC-USDT_1h.csv"
    write_ohlcv(random_frame(2_000, seed=3, step_ms=3_600_000), path)
    words = ["backtest", "run", "--data", str(path), "--strategy", "sma_cross", "--json"]
    probe = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", _BACKTEST_PROBE, json.dumps(words)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    report = json.loads(probe.stdout)
    assert report["code"] in (0, None)
    assert len(json.loads(report["out"])["trades"]) > 0
    assert "talib" in report["loaded"]  # the probe sees the indicators' imports
    assert [m for m in NOT_FOR_A_BACKTEST if m in report["loaded"]] == []
