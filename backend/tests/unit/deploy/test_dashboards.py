"""The provisioned Grafana dashboards: generated, laid out, on provisioned datasources, and
naming only Prometheus metrics the code exports.

Their queries are run against real servers in tests/integration/monitoring/test_dashboard_queries.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.monitoring.influx import InfluxWriter
from cryptotrader.monitoring.telemetry import Telemetry
from tests.support.dashboards import GRAFANA, dashboards, generator, targets

_METRIC = re.compile(r"\bcryptotrader_[a-z_]+")
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def _exported() -> set[str]:
    writer = InfluxWriter(url="http://127.0.0.1:1", database="unused")  # never started
    names: set[str] = set()
    for registry in (Telemetry(influx=writer).registry, ApiMetrics(influx=writer).registry):
        for family in registry.collect():
            names |= {family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",))}
    return names


def test_the_committed_dashboards_are_what_the_generator_writes() -> None:
    rendered = generator().render()
    committed = {name: path.read_text(encoding="utf-8") for name, path in _files().items()}
    assert committed == rendered, "run: python3 deploy/grafana/dashboards.py"
    assert set(rendered) == {"overview.json", "trades.json", "engines.json", "api.json"}


def test_panels_have_unique_ids_and_do_not_overlap() -> None:
    for name, board in dashboards().items():
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), name
        cells: set[tuple[int, int]] = set()
        for panel in board["panels"]:
            grid = panel["gridPos"]
            assert grid["x"] >= 0, (name, panel["title"])
            assert grid["x"] + grid["w"] <= 24, (name, panel["title"])
            mine = {
                (x, y)
                for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])
            }
            assert not cells & mine, (name, panel["title"])
            cells |= mine
        assert board["uid"].startswith("cryptotrader-")
        assert board["schemaVersion"] >= 39


def test_every_datasource_a_dashboard_uses_is_provisioned() -> None:
    provisioned = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "datasources.yml").read_text()
    )
    known = {(d["type"], d["uid"]) for d in provisioned["datasources"]}
    for name, board in dashboards().items():
        for panel in board["panels"]:
            used = [panel["datasource"], *(t["datasource"] for t in panel["targets"])]
            for source in used:
                assert (source["type"], source["uid"]) in known, (name, panel["title"], source)


def test_every_prometheus_metric_a_panel_queries_is_exported() -> None:
    exported = _exported()
    queried = {
        (name, title, metric)
        for name, title, target in targets("prometheus")
        for metric in _METRIC.findall(target["expr"])
    }
    assert len(queried) > 20
    missing = {item for item in queried if item[2] not in exported}
    assert not missing


def test_every_alert_rule_names_an_exported_metric() -> None:
    exported = _exported()
    rules = yaml.safe_load((GRAFANA.parent / "prometheus" / "rules.yml").read_text())
    for rule in rules["groups"][0]["rules"]:
        for metric in _METRIC.findall(rule["expr"]):
            assert metric in exported, (rule["alert"], metric)


def _files() -> dict[str, Path]:
    return {path.name: path for path in sorted((GRAFANA / "dashboards").glob("*.json"))}
