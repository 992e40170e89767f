"""One composition root (``bootstrap``): the API's services and the runtime's engines.

The API builds its use cases with ``bootstrap.services`` and never wires a service itself; the
trading engines are built by ``bootstrap.runtime``, which the API's start-up does not import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import cryptotrader

PACKAGE = Path(cryptotrader.__file__).parent
WIRED = (  # the API's services, the runtime's engines, and the call that builds the former
    "AuthService",
    "BotService",
    "BacktestService",
    "OptimizationService",
    "TradeService",
    "OrderEngine",
    "PortfolioManager",
    "open_use_cases",
)


def test_the_api_start_up_does_not_import_the_trading_engines() -> None:
    probe = (
        "import sys, cryptotrader.api.app; "
        "print(sorted(m for m in ('cryptotrader.bootstrap.runtime', 'cryptotrader.runtime', "
        "'cryptotrader.engines.order', 'cryptotrader.exchanges.paper') if m in sys.modules))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=600
    )
    assert out.stdout.strip() == "[]"


def test_services_and_engines_are_constructed_only_in_bootstrap() -> None:
    built: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = str(path.relative_to(PACKAGE))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.func if isinstance(node, ast.Call) else None
            if isinstance(name, ast.Name) and name.id in WIRED:
                built.setdefault(name.id, []).append(relative)
    outside = {name: where for name, where in built.items() if name != "open_use_cases"}
    assert {where for places in outside.values() for where in places} == {
        "bootstrap/services.py",
        "bootstrap/runtime.py",
    }
    assert built["open_use_cases"] == ["api/app.py"]  # the API asks bootstrap, once
