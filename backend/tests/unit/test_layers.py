"""The package's layers only point down: a module never imports from a layer above its own.

``LAYERS`` is the declared order, top first (docs/architecture.md explains it). Modules in one
layer are independent: they may not import each other either. Every import counts, including
the ones inside functions and under ``TYPE_CHECKING``: a deferred import is still a dependency.
A new top-level package must be given its place here before it can be imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import cryptotrader

PACKAGE = Path(cryptotrader.__file__).parent

#: Top-level modules of ``cryptotrader``, from the entry points down to the exceptions.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__",),  # python -m cryptotrader
    ("cli",),  # commands
    ("api",),  # HTTP / WebSocket gateway
    ("bootstrap",),  # the composition root: the runtime's engines, the API's use cases
    ("runtime", "runtime_inputs"),  # the engines' run loop and what feeds it
    ("services",),  # use cases behind the API: permissions, audit, persistence
    ("optimize",),  # parameter studies over the backtester
    ("engines", "notify"),  # trading engines and the backtester; push notifications
    ("exchanges", "strategies", "outbox"),  # venues (paper, ccxt); trading rules; event relay
    ("indicators",),  # indicator plugins and the engine that runs them
    ("persistence", "monitoring", "sentiment"),  # database; telemetry; sentiment feeds
    ("marketdata", "bus", "security", "risk"),  # candles; messages; secrets; sizing rules
    ("config",),  # settings
    ("domain",),  # value types shared by everyone
    ("plugins", "retry", "clock", "collector"),  # small utilities
    ("errors",),  # exception classes
)


def _layer_of() -> dict[str, int]:
    return {name: depth for depth, names in enumerate(LAYERS) for name in names}


def _top_level(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported(path: Path, source: str | None = None) -> set[str]:
    """Top-level ``cryptotrader`` modules that ``path`` imports (``""``: the package itself)."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    text = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _module_name(path)
                base = base if is_package else base[:-1]
                base = base[: len(base) - node.level + 1]
                names = [".".join([*base, *([node.module] if node.module else [])])]
            else:
                names = [node.module or ""]
            if names[0] == "cryptotrader":  # ``from cryptotrader import x``: x is the module
                names = [f"cryptotrader.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "cryptotrader":
                found.add(parts[1] if len(parts) > 1 else "")
    return found


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "tests")


def test_every_top_level_module_has_a_declared_layer() -> None:
    layer_of = _layer_of()
    undeclared = {_top_level(p) for p in _sources()} - set(layer_of) - {"__init__"}
    assert not undeclared, f"give these a layer in LAYERS (tests/unit/test_layers.py): {undeclared}"


def test_no_module_imports_from_its_own_layer_or_above() -> None:
    layer_of = _layer_of()
    upward: list[str] = []
    for path in _sources():
        own = _top_level(path)
        if own == "__init__":
            continue
        for target in _imported(path) - {own, ""}:
            if target in layer_of and layer_of[target] <= layer_of[own]:
                where = path.relative_to(PACKAGE.parent)
                upward.append(f"{where} imports cryptotrader.{target}")
    assert not upward, "imports that point up (or sideways) the layers:\n" + "\n".join(upward)


def test_the_check_sees_relative_absolute_and_deferred_imports() -> None:
    source = (
        "from ..engines import order\n"
        "import cryptotrader.api.app\n"
        "from cryptotrader import services\n"
        "def later() -> None:\n"
        "    from . import values\n"
    )
    found = _imported(PACKAGE / "domain" / "trades.py", source)
    assert found == {"engines", "api", "services", "domain"}
