"""The InfluxDB writer against a real influxd (Debian's 1.x, through the v1 write API).

Points are read back with InfluxQL. With the server down, ``write`` still returns at once, the
buffer stays bounded and counts what it drops, and the kept points arrive once a server answers.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from cryptotrader.monitoring.influx import InfluxWriter
from tests.support.monitoring_servers import free_port, influxd, poll

DB = "cryptotrader"


def test_points_are_written_in_batches_and_read_back_exactly(tmp_path: Path) -> None:
    with influxd(tmp_path / "influx") as server:
        server.create_database(DB)
        writer = InfluxWriter(url=server.url, database=DB, batch_size=100, capacity=1000)
        writer.start()
        try:
            for i in range(250):
                writer.write(
                    "bot",
                    {"bot": "safe" if i % 2 else "aggressive", "pair": "BTC/USDT, spot"},
                    {"equity": Decimal("1000.25") + i, "open_positions": i % 2, "note": 'a "b"'},
                    1_700_000_000_000 + i * 1000,
                )
        finally:
            writer.close()
        assert (writer.written, writer.dropped, writer.failed) == (250, 0, 0)
        counts = server.query(DB, 'SELECT count(equity) FROM bot GROUP BY "bot"')
        assert {s["tags"]["bot"]: s["values"][0][1] for s in counts} == {
            "safe": 125,
            "aggressive": 125,
        }
        rows = server.query(DB, "SELECT * FROM bot WHERE time = 1700000007000ms")
        columns, values = rows[0]["columns"], rows[0]["values"][0]
        got = dict(zip(columns, values, strict=True))
        assert got == {
            "time": 1_700_000_007_000,
            "bot": "safe",
            "pair": "BTC/USDT, spot",
            "equity": 1007.25,
            "open_positions": 1,
            "note": 'a "b"',
        }


def test_writes_never_wait_for_a_dead_server_and_the_kept_points_arrive_later(
    tmp_path: Path,
) -> None:
    port = free_port()
    with influxd(tmp_path / "influx", port=port) as server:
        server.create_database(DB)  # then the server goes down, the database kept in its folder
    writer = InfluxWriter(
        url=f"http://127.0.0.1:{port}",
        database=DB,
        batch_size=50,
        capacity=200,
        flush_interval_s=0.05,
        max_backoff_s=0.2,
    )
    writer.start()
    try:
        for i in range(1000):  # no network on this path: it returns while nothing answers
            writer.write("latency", {"kind": "test"}, {"seconds": i / 1000}, 1_000 + i)
        poll(lambda: not writer.healthy, what="the writer noticing the server is down")
        # Bounded: the buffer plus the one batch being retried, the rest counted as dropped.
        assert writer.dropped >= 1000 - 200 - 50
        assert writer.queued <= 200
        assert writer.last_error is not None
        kept = 1000 - writer.dropped
        with influxd(tmp_path / "influx", port=port) as server:  # back up
            poll(lambda: writer.written == kept, what=f"{kept} kept points written")
            assert _state(writer) == (True, None)
            counted = server.query(DB, "SELECT count(seconds) FROM latency")
            assert counted[0]["values"][0][1] == kept
    finally:
        writer.close(timeout_s=1)


def test_a_batch_influxdb_refuses_is_counted_and_writing_goes_on(tmp_path: Path) -> None:
    with influxd(tmp_path / "influx") as server:
        server.create_database(DB)
        writer = InfluxWriter(url=server.url, database=DB, batch_size=10, capacity=100)
        writer.start()
        try:
            writer.write("m", {}, {"v": 1}, 1)  # an integer field ...
            poll(lambda: writer.written == 1, what="the first point written")
            writer.write("m", {}, {"v": "text"}, 2)  # ... cannot take a string: 400
            poll(lambda: writer.failed == 1, what="the refused point counted")
            writer.write("m", {}, {"v": 3}, 3)
            poll(lambda: writer.written == 2, what="writing after a refusal")
        finally:
            writer.close()
        assert server.query(DB, "SELECT v FROM m")[0]["values"] == [[1, 1], [3, 3]]


def test_a_missing_database_is_refused_not_retried_forever(tmp_path: Path) -> None:
    with influxd(tmp_path / "influx") as server:
        writer = InfluxWriter(url=server.url, database="absent", batch_size=10, capacity=100)
        writer.start()
        try:
            writer.write("m", {}, {"v": 1}, 1)
            poll(lambda: writer.failed == 1, what="the point refused (404 database not found)")
        finally:
            writer.close()


def _state(writer: InfluxWriter) -> tuple[bool, str | None]:
    return writer.healthy, writer.last_error
