"""Every query of the provisioned dashboards runs on the real servers and finds what it names.

InfluxQL runs on a real influxd holding the points the telemetry writes (Grafana's macros
replaced as Grafana would); each InfluxDB field a panel reads must exist there. PromQL is parsed
by ``promtool`` (each expression as a recording rule). SQL runs on a migrated PostgreSQL as
Grafana's read-only role (``db upgrade --reader``).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import text

from cryptotrader.bus.messages import AlertRaised, CapitalReallocated
from cryptotrader.domain.enums import BotKind
from cryptotrader.monitoring.influx import InfluxWriter
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.persistence.database import Database
from tests.conftest import require
from tests.support.dashboards import targets
from tests.support.monitoring_servers import influxd, poll
from tests.support.reader_role import reader_role

DB = "cryptotrader"
_FROM = re.compile(r'FROM "([a-z_]+)"')
_FIELD = re.compile(r'(?:last|sum|mean|max|min)\("([a-z_]+)"\)|SELECT "([a-z_]+)"')


def _influxql(query: str) -> str:
    return (
        query.replace(
            "$timeFilter", "time >= '2026-01-04T00:00:00Z' AND time < '2026-01-06T00:00:00Z'"
        )
        .replace("$__interval", "1h")
        .replace("/^($bot)$/", "/^(safe|aggressive)$/")
    )


def _sql(query: str) -> str:
    return re.sub(r"\$__timeFilter\(([^)]+)\)", r"\1 IS NOT NULL", query).replace(
        "($bot)", "('safe','aggressive')"
    )


def test_influxql_queries_run_and_read_fields_the_telemetry_writes(tmp_path: Path) -> None:
    with influxd(tmp_path / "influx") as server:
        server.create_database(DB)
        writer = InfluxWriter(url=server.url, database=DB, flush_interval_s=0.1)
        writer.start()
        try:
            _report_everything(Telemetry(influx=writer))
            poll(lambda: writer.written >= 5 and not writer.queued, what="points written")
        finally:
            writer.close()
        fields = {
            (series["name"], row[0])
            for series in server.query(DB, "SHOW FIELD KEYS")
            for row in series["values"]
        }
        queries = list(targets("influxdb"))
        assert len(queries) >= 10
        for board, title, target in queries:
            query = target["query"]
            measurements = set(_FROM.findall(query))
            assert measurements, (board, title)
            for field in {a or b for a, b in _FIELD.findall(query)}:
                assert any((m, field) in fields for m in measurements), (board, title, field)
            series = server.query(DB, _influxql(query))
            assert series, (board, title, "no data")


def test_promql_expressions_parse(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    require(promtool is not None, "promtool not installed (apt-get install prometheus)")
    assert promtool is not None
    expressions = [target["expr"] for _, _, target in targets("prometheus")]
    rules = {
        "groups": [
            {
                "name": "dashboards",
                "rules": [
                    {"record": f"dashboard:expr_{i}", "expr": expr}
                    for i, expr in enumerate(expressions)
                ],
            }
        ]
    }
    path = tmp_path / "exprs.yml"
    path.write_text(yaml.safe_dump(rules))
    checked = subprocess.run(  # noqa: S603 - Debian's promtool on our file
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{len(expressions)} rules found" in checked.stdout


def test_sql_queries_run_on_the_migrated_schema_as_grafanas_read_only_role(
    postgres_url: str,
) -> None:
    queries = [target["rawSql"] for _, _, target in targets("grafana-postgresql-datasource")]
    assert len(queries) >= 6

    async def run(reader_url: str) -> None:
        database = Database(reader_url)
        try:
            async with database.engine.connect() as connection:
                for query in queries:
                    await connection.execute(text(_sql(query)))
        finally:
            await database.dispose()

    with reader_role(postgres_url) as (_, reader_url):
        asyncio.run(run(reader_url))


def _report_everything(telemetry: Telemetry) -> None:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    for bot in ("safe", "aggressive"):
        telemetry.bot_state(
            bot,
            capital=Decimal(1000),
            realised=Decimal(12),
            unrealised=Decimal(-3),
            risk_ratio=Decimal("0.01"),
            active=True,
            open_positions=1,
            at_ms=1_767_571_200_000,
        )
    telemetry.published(
        [
            (
                "rebalance",
                CapitalReallocated(
                    timestamp=at,
                    from_bot=BotKind.AGGRESSIVE,
                    to_bot=BotKind.SAFE,
                    amount=Decimal(30),
                    ratio=Decimal("0.3"),
                    profit=Decimal(100),
                    trigger_trade_id=1,
                ),
            ),
            (
                "alerts",
                AlertRaised(timestamp=at, kind="risk_reduced", text="x", bot=BotKind.SAFE),
            ),
            (
                "alerts",
                AlertRaised(
                    timestamp=at,
                    kind="circuit_breaker",
                    severity="critical",
                    text="y",
                    bot=BotKind.SAFE,
                ),
            ),
        ]
    )
