#!/usr/bin/env python3
"""Validate the provisioned dashboards against Grafana's JSON schemas (deploy/grafana/schema).

The dashboard schema leaves a panel's ``options`` and ``fieldConfig.defaults.custom`` open (they
belong to the panel plugin), so each is also checked against its panel type's schema, and every
Prometheus query against the Prometheus query schema. A panel type without a vendored schema is
an error, not a skip. Needs ``jsonschema`` (bin/_test-deploy runs it with its tools' Python).

Usage: check_schema.py [DASHBOARD.json ...]  (default: every file in deploy/grafana/dashboards)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schema"


def _schema(name: str, definition: str | None = None) -> Draft7Validator:
    document = json.loads((SCHEMAS / f"{name}.jsonschema.json").read_text(encoding="utf-8"))
    if definition is not None:
        document = {**document, "$ref": f"#/definitions/{definition}"}
    Draft7Validator.check_schema(document)
    return Draft7Validator(document)


def _errors(validator: Draft7Validator, instance: Any, where: str) -> list[str]:
    return [
        f"{where}/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def _datasource_annotations_apart(board: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The board with the targets of datasource annotations taken out, and their problems.

    The schema's ``AnnotationTarget`` is the built-in Grafana datasource's (limit, matchAny, tags,
    type; its own description: "this should be a regular DataQuery"): an InfluxDB annotation's
    target is that datasource's query, which Grafana passes to the datasource. Such a target is
    checked here for what every query has (refId, a query); the queries themselves run against a
    real influxd in tests/integration/monitoring/test_dashboard_queries.py.
    """
    problems: list[str] = []
    annotations = []
    for item in board.get("annotations", {}).get("list", []):
        if item.get("datasource", {}).get("type") in {None, "grafana", "datasource"}:
            annotations.append(item)
            continue
        target = item.get("target", {})
        if not isinstance(target.get("refId"), str) or not isinstance(target.get("query"), str):
            problems.append(f"annotation {item.get('name')!r}: target without refId and query")
        annotations.append({key: value for key, value in item.items() if key != "target"})
    return {**board, "annotations": {**board.get("annotations", {}), "list": annotations}}, problems


def check(board: dict[str, Any], name: str) -> list[str]:
    """Every schema error of one dashboard, each prefixed with where it is."""
    checked, problems = _datasource_annotations_apart(board)
    problems = [f"{name}: {problem}" for problem in problems]
    problems += _errors(_schema("dashboard"), checked, name)
    prometheus = _schema("prometheus", "dataquery")
    for panel in board.get("panels", []):
        kind = panel.get("type", "")
        where = f"{name}: panel {panel.get('id')} {panel.get('title')!r}"
        if kind == "row":
            continue
        if not (SCHEMAS / f"{kind}.jsonschema.json").is_file():
            problems.append(f"{where}: no vendored schema for panel type {kind!r}")
            continue
        problems += _errors(_schema(kind, "Options"), panel.get("options", {}), f"{where} options")
        custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
        if custom is not None and "FieldConfig" in _schema(kind).schema["definitions"]:
            problems += _errors(_schema(kind, "FieldConfig"), custom, f"{where} custom")
        for target in panel.get("targets", []):
            if target.get("datasource", {}).get("type") == "prometheus":
                problems += _errors(prometheus, target, f"{where} target {target.get('refId')}")
    return problems


def main(argv: list[str]) -> int:
    """Print each problem on stderr; exit 1 if there is any."""
    paths = [Path(a) for a in argv] or sorted((HERE / "dashboards").glob("*.json"))
    problems: list[str] = []
    for path in paths:
        problems += check(json.loads(path.read_text(encoding="utf-8")), path.name)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} schema errors in {len(paths)} dashboards", file=sys.stderr)
        return 1
    print(f"{len(paths)} dashboards valid against Grafana's schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
