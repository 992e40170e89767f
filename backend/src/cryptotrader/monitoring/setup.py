"""Build a process's ``Telemetry`` from the settings: the InfluxDB writer, the ``/metrics`` port."""

from __future__ import annotations

import logging
from contextlib import ExitStack

from prometheus_client import start_http_server

from cryptotrader.config import MonitoringSettings
from cryptotrader.errors import ConfigurationError
from cryptotrader.monitoring.influx import InfluxWriter
from cryptotrader.monitoring.telemetry import Telemetry

log = logging.getLogger(__name__)


REPLAY_FLUSH_S = 10.0
"""The writer's flush interval during a full-speed replay (unless ``influx_flush_s`` is longer).

A replay's points carry their candles' times, so nobody watches them arrive by the wall clock;
a request costs ~1.4 ms of the process's CPU, so fewer, fuller batches keep the writer's share
of a replay small (docs/BENCHMARKS.md, Monitoring)."""


def influx_writer(
    settings: MonitoringSettings, *, flush_s: float | None = None
) -> InfluxWriter | None:
    """The configured writer, not started; None when ``influx_url`` is unset.

    ``flush_s`` replaces ``settings.influx_flush_s`` when it is longer (full-speed replays).
    """
    if not settings.influx_url:
        return None
    token = settings.influx_token.get_secret_value() if settings.influx_token else None
    return InfluxWriter(
        url=settings.influx_url,
        database=settings.influx_database,
        token=token,
        api=settings.influx_api,
        org=settings.influx_org,
        capacity=settings.influx_buffer,
        batch_size=min(settings.influx_batch, settings.influx_buffer),
        flush_interval_s=max(settings.influx_flush_s, flush_s or 0.0),
    )


def open_telemetry(
    settings: MonitoringSettings,
    *,
    process: str,
    stack: ExitStack,
    serve: bool,
    replay_at_full_speed: bool = False,
) -> Telemetry:
    """A started ``Telemetry`` whose writer and ``/metrics`` server ``stack`` stops.

    Args:
        settings: the monitoring section.
        process: names the process in logs.
        stack: closes the writer (flushing it) and the metrics server.
        serve: serve ``/metrics`` on ``settings.metrics_port`` when it is set (engine processes;
            the API serves its own).
        replay_at_full_speed: the writer flushes every ``REPLAY_FLUSH_S`` (or its batch is full).

    Raises:
        ConfigurationError: the metrics port cannot be bound.
    """
    writer = influx_writer(settings, flush_s=REPLAY_FLUSH_S if replay_at_full_speed else None)
    if writer is not None:
        writer.start()
        stack.callback(writer.close)
        log.info("%s: InfluxDB points to %s (%s)", process, writer.url, settings.influx_api)
    telemetry = Telemetry(process=process, influx=writer)
    if serve and settings.metrics_port is not None:
        try:
            server, thread = start_http_server(
                settings.metrics_port, settings.metrics_host, registry=telemetry.registry
            )
        except OSError as exc:
            raise ConfigurationError(
                f"cannot serve /metrics on {settings.metrics_host}:{settings.metrics_port}: {exc}"
            ) from None
        stack.callback(thread.join, 5)
        stack.callback(server.server_close)
        stack.callback(server.shutdown)
        host, port = server.server_address[:2]
        log.info("%s: Prometheus metrics on http://%s:%s/metrics", process, host, port)
    return telemetry
