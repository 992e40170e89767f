"""``sqlite_times``: candle open times as the text SQLAlchemy writes for a SQLite ``UtcDateTime``.

The texts are compared and sorted against rows written through the ORM, so they must be exactly
``YYYY-MM-DD HH:MM:SS.ffffff``; the fast path (the "T" set to a space in one numpy pass) and the
per-value path (years outside 0000-9999, where the "T" moves) give the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from cryptotrader.persistence.repositories._ohlcv_sqlite import sqlite_times


def _expected(stamps: np.ndarray) -> list[str]:
    """SQLAlchemy's SQLite ``DATETIME`` storage format."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    texts = []
    for ms in stamps:
        t = epoch + timedelta(milliseconds=int(ms))
        texts.append(
            f"{t.year:04d}-{t.month:02d}-{t.day:02d} "
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond:06d}"
        )
    return texts


@pytest.mark.parametrize(
    "stamps",
    [
        np.arange(1_502_942_400_000, 1_502_942_400_000 + 3_600_000 * 5_000, 3_600_000),
        np.array([0, 1, 999, 1_000, 86_399_999, 1_700_000_000_123], dtype=np.int64),
        np.array([-62_135_596_800_000, 253_402_300_799_999], dtype=np.int64),  # 0001 .. 9999
        np.array([], dtype=np.int64),
    ],
    ids=["hours", "milliseconds", "extreme years", "empty"],
)
def test_sqlite_times_when_years_fit_four_digits_are_sqlalchemys_text(stamps: np.ndarray) -> None:
    assert sqlite_times(stamps.astype(np.int64)) == _expected(stamps)


def test_sqlite_times_when_a_year_has_five_digits_replaces_the_t_where_it_is() -> None:
    stamps = np.array([1_700_000_000_000, 253_402_300_800_000], dtype=np.int64)  # 2023, 10000
    got = sqlite_times(stamps)
    assert got[0] == "2023-11-14 22:13:20.000000"
    assert got[1] == "10000-01-01 00:00:00.000000"  # numpy's text, its "T" a space as before
