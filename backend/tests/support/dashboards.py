"""The Grafana dashboards of deploy/grafana, loaded for tests: panels, targets, generator."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.conftest import REPO_ROOT

GRAFANA = REPO_ROOT / "deploy" / "grafana"


def generator() -> ModuleType:
    """deploy/grafana/dashboards.py as a module."""
    spec = importlib.util.spec_from_file_location("dashboards", GRAFANA / "dashboards.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dashboards() -> dict[str, dict[str, Any]]:
    """File name -> the committed dashboard."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((GRAFANA / "dashboards").glob("*.json"))
    }


def targets(kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(dashboard, panel title, target) of every query whose datasource is of ``kind``."""
    for name, board in dashboards().items():
        for panel in board["panels"]:
            for target in panel["targets"]:
                if target["datasource"]["type"] == kind:
                    yield name, panel["title"], target
        for annotation in board["annotations"]["list"]:
            target = annotation.get("target", {})
            if annotation.get("datasource", {}).get("type") == kind and "query" in target:
                yield name, annotation["name"], target


def path_of(name: str) -> Path:
    """Where a committed dashboard lives."""
    return GRAFANA / "dashboards" / name
