"""The report's times: ``report.iso`` writes what ``strftime`` wrote, only faster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cryptotrader.engines.backtest.report import iso


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2017, 8, 17, 4, 0, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),  # microseconds are dropped
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2021, 6, 1, 12, 30, 5, tzinfo=timezone(timedelta(hours=2))),  # wall time
    ],
)
def test_iso_when_given_a_time_writes_the_text_strftime_wrote(moment: datetime) -> None:
    assert iso(moment) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_iso_when_given_none_returns_none() -> None:
    assert iso(None) is None
