"""The writer a process builds from its settings: a full-speed replay flushes less often."""

from __future__ import annotations

from contextlib import ExitStack

from cryptotrader.config import MonitoringSettings
from cryptotrader.monitoring.setup import REPLAY_FLUSH_S, influx_writer, open_telemetry

URL = "http://127.0.0.1:1"  # never reached: the writers below are not started


def test_the_configured_flush_interval_holds_unless_a_replay_asks_for_a_longer_one() -> None:
    settings = MonitoringSettings(influx_url=URL, influx_flush_s=1.0)
    writer = influx_writer(settings)
    assert writer is not None
    assert writer.flush_interval_s == 1.0
    replaying = influx_writer(settings, flush_s=REPLAY_FLUSH_S)
    assert replaying is not None
    assert replaying.flush_interval_s == REPLAY_FLUSH_S
    longer = influx_writer(MonitoringSettings(influx_url=URL, influx_flush_s=30), flush_s=10)
    assert longer is not None
    assert longer.flush_interval_s == 30


def test_a_full_speed_replay_telemetry_flushes_every_replay_interval() -> None:
    settings = MonitoringSettings(influx_url=URL)
    with ExitStack() as stack:
        live = open_telemetry(settings, process="engines", stack=stack, serve=False)
        replay = open_telemetry(
            settings, process="engines", stack=stack, serve=False, replay_at_full_speed=True
        )
        assert live.influx is not None
        assert replay.influx is not None
        assert live.influx.flush_interval_s == settings.influx_flush_s
        assert replay.influx.flush_interval_s == REPLAY_FLUSH_S


def test_no_influx_url_no_writer() -> None:
    assert influx_writer(MonitoringSettings(), flush_s=REPLAY_FLUSH_S) is None
