#!/usr/bin/env python3
"""Grafana dashboards as code: ``python3 deploy/grafana/dashboards.py`` writes dashboards/*.json.

Plain data (no library: ``grafanalib`` writes JSON the current dashboard schema refuses, and the
foundation SDK pins one Grafana version per build). The backend's tests check the output is this
script's, that every Prometheus metric and InfluxDB measurement a query names is one the code
exports, that the SQL runs on the real schema, and that panels neither share ids nor overlap.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
INFLUX = {"type": "influxdb", "uid": "influxdb"}
POSTGRES = {"type": "grafana-postgresql-datasource", "uid": "postgres"}
SCHEMA_VERSION = 39
BOTS = "bot=~\"$bot\""

Panel = dict[str, Any]


def prom(expr: str, legend: str = "") -> dict[str, Any]:
    return {"datasource": PROMETHEUS, "expr": expr, "legendFormat": legend}


def influx(query: str, alias: str = "") -> dict[str, Any]:
    return {"datasource": INFLUX, "query": query, "rawQuery": True, "resultFormat": "time_series",
            "alias": alias}


def sql(query: str, fmt: str = "table") -> dict[str, Any]:
    return {"datasource": POSTGRES, "rawSql": query, "format": fmt, "rawQuery": True,
            "editorMode": "code"}


def options(kind: str, source: dict[str, Any]) -> dict[str, Any]:
    """A panel's options, complete as Grafana 11.3 stores them (its panel schemas require them).

    A SQL stat reads one row per bot, so it shows every row's value; a Prometheus stat reduces
    each series (one per bot) to its last value.
    """
    legend = {"displayMode": "list", "placement": "bottom", "showLegend": True, "calcs": []}
    if kind in {"timeseries", "histogram"}:
        return {"legend": legend, "tooltip": {"mode": "multi", "sort": "desc"}}
    if kind == "stat":
        every_row = source["type"] == POSTGRES["type"]
        reduce = {"values": every_row, "calcs": ["lastNotNull"], "fields": ""}
        return {"graphMode": "none", "colorMode": "value", "justifyMode": "auto",
                "textMode": "value_and_name" if every_row else "auto", "wideLayout": True,
                "showPercentChange": False, "reduceOptions": reduce,
                "percentChangeColorMode": "standard", "orientation": "auto"}
    if kind == "table":
        return {"frameIndex": 0, "showHeader": True, "cellHeight": "sm"}
    raise ValueError(f"no options for panel type {kind}")


def panel(kind: str, title: str, targets: list[dict[str, Any]], *, w: int = 12, h: int = 8,
          unit: str = "short", description: str = "") -> Panel:
    source = targets[0]["datasource"]
    for index, target in enumerate(targets):
        target["refId"] = chr(ord("A") + index)
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": source,
        "targets": targets,
        "gridPos": {"w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": options(kind, source),
    }


def layout(panels: list[Panel]) -> list[Panel]:
    """Ids in order, panels placed left to right, wrapping at 24 columns."""
    x = y = row_height = 0
    for index, item in enumerate(panels, start=1):
        grid = item["gridPos"]
        if x + grid["w"] > 24:
            x, y, row_height = 0, y + row_height, 0
        grid["x"], grid["y"] = x, y
        x += grid["w"]
        row_height = max(row_height, grid["h"])
        item["id"] = index
    return panels


def annotation(name: str, color: str, query: str, *, text: str, tags: str) -> dict[str, Any]:
    """An InfluxQL annotation in the form Grafana 11 stores (the query in ``target``; the legacy
    top-level ``query``/``textColumn`` is migrated into it on load)."""
    target = {"refId": "Anno", "query": query, "rawQuery": True, "fromAnnotations": True,
              "textColumn": text, "tagsColumn": tags}
    return {"name": name, "datasource": INFLUX, "enable": True, "iconColor": color,
            "target": target}


def bot_variable() -> dict[str, Any]:
    return {
        "name": "bot",
        "label": "Bot",
        "type": "custom",
        "query": "safe,aggressive",
        "multi": True,
        "includeAll": True,
        "allValue": "safe|aggressive",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "options": [],
    }


def dashboard(uid: str, title: str, panels: list[Panel], *, annotations: list[Any] | None = None,
              variables: list[Any] | None = None, refresh: str = "30s") -> dict[str, Any]:
    builtin = {
        "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
        "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
        "type": "dashboard",
    }
    return {
        "uid": uid,
        "title": title,
        "tags": ["cryptotrader"],
        "timezone": "utc",
        "editable": False,
        "graphTooltip": 1,
        "refresh": refresh,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "time": {"from": "now-7d", "to": "now"},
        "annotations": {"list": [builtin, *(annotations or [])]},
        "templating": {"list": variables or []},
        "panels": layout(panels),
    }


def overview() -> dict[str, Any]:
    def per_bot(field: str) -> str:
        return (f'SELECT last("{field}") FROM "bot" WHERE "bot" =~ /^($bot)$/ AND $timeFilter '
                f'GROUP BY time($__interval), "bot" fill(previous)')

    annotations = [
        annotation("Reallocations", "green", 'SELECT "amount" FROM "reallocation" WHERE $timeFilter',
                   text="amount", tags="from_bot"),
        annotation("Risk changes", "orange", 'SELECT "text" FROM "risk_change" WHERE $timeFilter',
                   text="text", tags="bot"),
        annotation("Circuit breaker", "red",
                   'SELECT "text" FROM "circuit_breaker" WHERE $timeFilter', text="text", tags="bot"),
    ]
    panels = [
        panel("stat", "Equity now", [prom(f"cryptotrader_bot_equity{{{BOTS}}}", "{{bot}}")],
              w=8, h=4, unit="currencyUSD"),
        panel("stat", "Combined equity", [prom("sum(cryptotrader_bot_equity)", "both bots")],
              w=4, h=4, unit="currencyUSD"),
        panel("stat", "Drawdown now", [prom(f"cryptotrader_bot_drawdown_ratio{{{BOTS}}}",
                                            "{{bot}}")], w=6, h=4, unit="percentunit"),
        panel("stat", "Bots trading", [prom(f"cryptotrader_bot_active{{{BOTS}}}", "{{bot}}")],
              w=6, h=4, description="1: trading; 0: paused or stopped"),
        panel("timeseries", "Equity by bot", [influx(per_bot("equity"), "$tag_bot")],
              w=12, unit="currencyUSD",
              description="Capital plus the open position at the last close, in market time"),
        panel("timeseries", "Combined equity",
              [influx('SELECT sum("equity") FROM (SELECT last("equity") AS "equity" FROM "bot" '
                      'WHERE $timeFilter GROUP BY time($__interval), "bot" fill(previous)) '
                      'WHERE $timeFilter GROUP BY time($__interval)', "both bots")],
              w=12, unit="currencyUSD"),
        panel("timeseries", "Realised P&L", [influx(per_bot("realised_pnl"), "$tag_bot")],
              w=8, unit="currencyUSD"),
        panel("timeseries", "Unrealised P&L", [influx(per_bot("unrealised_pnl"), "$tag_bot")],
              w=8, unit="currencyUSD"),
        panel("timeseries", "Drawdown", [influx(per_bot("drawdown"), "$tag_bot")],
              w=8, unit="percentunit"),
        panel("timeseries", "Risk per trade", [influx(per_bot("risk_ratio"), "$tag_bot")],
              w=12, unit="percentunit",
              description="Lowered after losing streaks, restored after wins (annotations)"),
        panel("timeseries", "Capital moved to the safe bot",
              [influx('SELECT cumulative_sum(sum("amount")) FROM "reallocation" WHERE $timeFilter '
                      'GROUP BY time($__interval) fill(none)', "reallocated")],
              w=12, unit="currencyUSD"),
    ]
    return dashboard("cryptotrader-overview", "CryptoTrader — Overview", panels,
                     annotations=annotations, variables=[bot_variable()])


def trades() -> dict[str, Any]:
    closed = ("FROM trades t JOIN bots b ON b.id = t.bot_id JOIN trading_pairs p ON p.id = "
              "t.pair_id WHERE t.status = 'closed' AND $__timeFilter(t.closed_at) "
              "AND b.type IN ($bot)")
    panels = [
        panel("stat", "Win rate", [sql(
            "SELECT b.type AS bot, avg(CASE WHEN t.pnl > 0 THEN 1.0 ELSE 0.0 END) AS win_rate "
            f"{closed} GROUP BY b.type ORDER BY b.type")], w=8, h=5, unit="percentunit"),
        panel("stat", "Closed trades", [sql(
            f"SELECT b.type AS bot, count(*) AS trades {closed} GROUP BY b.type ORDER BY b.type")],
            w=8, h=5),
        panel("stat", "Net P&L", [sql(
            f"SELECT b.type AS bot, sum(t.pnl) AS pnl {closed} GROUP BY b.type ORDER BY b.type")],
            w=8, h=5, unit="currencyUSD"),
        panel("table", "By bot and pair", [sql(
            "SELECT b.type AS bot, p.symbol AS pair, count(*) AS trades, "
            "avg(CASE WHEN t.pnl > 0 THEN 1.0 ELSE 0.0 END) AS win_rate, sum(t.pnl) AS pnl, "
            "avg(extract(epoch FROM t.closed_at - t.opened_at)) AS avg_duration_s "
            f"{closed} GROUP BY b.type, p.symbol ORDER BY b.type, p.symbol")], w=24, h=7),
        panel("histogram", "P&L distribution", [sql(
            f"SELECT t.closed_at AS time, t.pnl::float AS pnl {closed} ORDER BY t.closed_at")],
            w=12, h=9, unit="currencyUSD"),
        panel("histogram", "Trade duration", [sql(
            "SELECT t.closed_at AS time, extract(epoch FROM t.closed_at - t.opened_at) AS "
            f"duration {closed} ORDER BY t.closed_at")], w=12, h=9, unit="s"),
        panel("timeseries", "Cumulative P&L", [sql(
            "SELECT t.closed_at AS time, b.type AS metric, sum(t.pnl::float) OVER (PARTITION BY "
            f"b.type ORDER BY t.closed_at) AS pnl {closed} ORDER BY t.closed_at",
            "time_series")], w=24, h=8, unit="currencyUSD"),
        panel("table", "Last trades", [sql(
            "SELECT t.closed_at AS closed, b.type AS bot, p.symbol AS pair, t.entry_price, "
            "t.exit_price, t.quantity, t.pnl, t.exit_reason "
            f"{closed} ORDER BY t.closed_at DESC LIMIT 50")], w=24, h=10),
    ]
    variable = {
        "name": "bot", "label": "Bot", "type": "custom", "query": "safe,aggressive",
        "multi": True, "includeAll": True,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "options": [],
    }
    return dashboard("cryptotrader-trades", "CryptoTrader — Trades", panels, variables=[variable])


def quantile(q: str, metric: str, by: str = "") -> str:
    group = f"le{', ' + by if by else ''}"
    return f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket[5m])))"


def engines() -> dict[str, Any]:
    panels = [
        panel("stat", "Engines up", [prom('up{job="engines"}', "{{instance}}")], w=12, h=4),
        panel("stat", "Circuit breaker trips (24h)",
              [prom("sum by (bot) (increase(cryptotrader_circuit_breaker_trips_total[24h]))",
                    "{{bot}}")], w=12, h=4),
        panel("timeseries", "Candle close → order sent",
              [prom(quantile("0.5", "cryptotrader_close_to_order_seconds"), "p50"),
               prom(quantile("0.99", "cryptotrader_close_to_order_seconds"), "p99")],
              unit="s", description="Live data only (a replay's candles closed long ago)"),
        panel("timeseries", "Order round trip",
              [prom(quantile("0.5", "cryptotrader_order_round_trip_seconds"), "p50"),
               prom(quantile("0.99", "cryptotrader_order_round_trip_seconds"), "p99")], unit="s"),
        panel("timeseries", "Bus lag p99 by channel",
              [prom(quantile("0.99", "cryptotrader_bus_lag_seconds", "topic"), "{{topic}}")],
              unit="s"),
        panel("timeseries", "Messages handled",
              [prom("sum by (group, topic) (rate(cryptotrader_engine_messages_total[5m]))",
                    "{{group}} ← {{topic}}")], unit="ops"),
        panel("timeseries", "Exchange errors",
              [prom("sum by (kind) (increase(cryptotrader_exchange_errors_total[5m]))",
                    "{{kind}}")]),
        panel("timeseries", "Order failures",
              [prom("sum by (bot) (increase(cryptotrader_order_failures_total[5m]))", "{{bot}}")]),
        panel("timeseries", "Orders by status",
              [prom("sum by (status) (increase(cryptotrader_orders_total[5m]))", "{{status}}")]),
        panel("timeseries", "Since last activity",
              [prom("time() - cryptotrader_engine_last_activity_timestamp_seconds", "{{engine}}")],
              unit="s"),
        panel("timeseries", "InfluxDB points dropped",
              [prom("sum by (reason) (increase(cryptotrader_influx_points_dropped_total[5m]))",
                    "{{reason}}")],
              description="Dropped so that trading never waits for InfluxDB"),
        panel("timeseries", "InfluxDB points queued",
              [prom("sum by (instance) (cryptotrader_influx_points_queued)", "{{instance}}")]),
    ]
    return dashboard("cryptotrader-engines", "CryptoTrader — Engines", panels)


def api() -> dict[str, Any]:
    panels = [
        panel("timeseries", "Requests by route",
              [prom("sum by (route) (rate(cryptotrader_api_requests_total[5m]))", "{{route}}")],
              unit="reqps"),
        panel("timeseries", "Latency p99 by route",
              [prom(quantile("0.99", "cryptotrader_api_request_seconds", "route"), "{{route}}")],
              unit="s"),
        panel("timeseries", "Errors",
              [prom('sum by (status) (rate(cryptotrader_api_requests_total{status=~"4..|5.."}'
                    "[5m]))", "{{status}}")], unit="reqps"),
        panel("timeseries", "Rate limited",
              [prom("sum by (bucket, status) (rate(cryptotrader_api_rate_limited_total[5m]))",
                    "{{bucket}} {{status}}")], unit="reqps"),
        panel("timeseries", "WebSocket clients", [prom("sum(cryptotrader_api_ws_clients)",
                                                       "clients")]),
        panel("timeseries", "WebSocket events and drops",
              [prom("sum by (topic) (rate(cryptotrader_api_ws_events_total[5m]))", "{{topic}}"),
               prom("sum(rate(cryptotrader_api_ws_dropped_total[5m]))", "clients dropped")],
              unit="ops"),
    ]
    return dashboard("cryptotrader-api", "CryptoTrader — API", panels)


DASHBOARDS = {"overview": overview, "trades": trades, "engines": engines, "api": api}


def render() -> dict[str, str]:
    """File name -> JSON text of every dashboard."""
    return {f"{name}.json": json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
            for name, build in DASHBOARDS.items()}


def main() -> int:
    folder = HERE / "dashboards"
    folder.mkdir(exist_ok=True)
    for name, text in render().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
