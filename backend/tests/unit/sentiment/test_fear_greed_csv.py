"""Fear & Greed history from CSV: the real shared file, and clear errors for broken files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.domain.timeframes import DAY_MS, HOUR_MS
from cryptotrader.errors import DataValidationError, UserInputError
from cryptotrader.sentiment import load_fear_greed_csv
from tests.support.sentiment_server import classification

SHARED_FILE = "alternative-me_fear-greed_1d.csv"
DOCUMENTED_MISSING = {date(2018, 4, 14), date(2018, 4, 15), date(2018, 4, 16), date(2024, 10, 26)}


def _ms(day: date) -> int:
    return int(np.datetime64(day.isoformat(), "ms").astype(np.int64))


def _days(timestamps_ms: np.ndarray) -> list[date]:
    return [
        date.fromisoformat(str(d))
        for d in timestamps_ms.astype("datetime64[ms]").astype("datetime64[D]")
    ]


def test_fear_greed_csv_when_real_history_loaded_has_the_documented_missing_days(
    shared_data: Path,
) -> None:
    series = load_fear_greed_csv(shared_data / SHARED_FILE)
    days = _days(series.timestamps)
    assert len(series) == 2_942
    assert (days[0], days[-1]) == (date(2018, 2, 1), date(2026, 2, 24))
    every_day = {date.fromordinal(o) for o in range(days[0].toordinal(), days[-1].toordinal() + 1)}
    assert every_day - set(days) == DOCUMENTED_MISSING
    assert np.all(series.timestamps % DAY_MS == 0)  # 00:00 UTC stamps
    assert (series.values.min(), series.values.max()) == (5.0, 95.0)
    assert series.labels is not None
    assert list(series.labels) == [classification(int(v)) for v in series.values]


def test_fear_greed_csv_when_real_history_aligned_bridges_short_gaps_only(
    shared_data: Path,
) -> None:
    series = load_fear_greed_csv(shared_data / SHARED_FILE)
    apr13, apr17 = _ms(date(2018, 4, 13)), _ms(date(2018, 4, 17))
    oct25 = _ms(date(2024, 10, 25))
    value = dict(zip(series.timestamps.tolist(), series.values.tolist(), strict=True))
    times = np.array(
        [apr13 + 3 * DAY_MS, apr13 + 3 * DAY_MS + HOUR_MS, apr17, oct25 + 36 * HOUR_MS]
    )
    aligned = series.align(times)
    assert aligned[0] == value[apr13]  # 2018-04-16 00:00: three days old, still used
    assert np.isnan(aligned[1])  # 2018-04-16 01:00: too old
    assert aligned[2] == value[apr17]
    assert aligned[3] == value[oct25]  # 2024-10-26 12:00: yesterday's value


def test_fear_greed_csv_when_valid_small_file_reads_values_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "fg.csv"
    path.write_text(
        "date,timestamp,value,classification\n"
        "2024-01-01,1704067200,65,Greed\n"
        "2024-01-02,1704153600,20,Extreme Fear\n"
    )
    series = load_fear_greed_csv(path)
    assert series.timestamps.tolist() == [1_704_067_200_000, 1_704_153_600_000]
    assert series.values.tolist() == [65.0, 20.0]
    assert series.labels == ("Greed", "Extreme Fear")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("2024-01-01,1704067200,65,Greed\n2024-01-02,1704153600,101,Greed\n", "line 3: value"),
        ("2024-01-01,1704067200,x,Greed\n", "line 2: value"),
        ("2024-01-01,1704067200000,65,Greed\n", "line 2: timestamp must be epoch seconds"),
        ("2024-01-01,17040672.5,65,Greed\n", "line 2: bad timestamp"),
        ("2024-01-02,1704153600,65,Greed\n2024-01-01,1704067200,60,Greed\n", "line 3: timestamps"),
        ("2024-01-01,1704067200,65,Greed\n2024-01-01,1704067200,65,Greed\n", "line 3: timestamps"),
        ("2024-01-02,1704067200,65,Greed\n", "line 2: date does not match"),
        ("", "no rows"),
    ],
)
def test_fear_greed_csv_when_row_invalid_names_the_line(
    tmp_path: Path, rows: str, message: str
) -> None:
    path = tmp_path / "fg.csv"
    path.write_text("date,timestamp,value,classification\n" + rows)
    with pytest.raises(DataValidationError, match=message):
        load_fear_greed_csv(path)


def test_fear_greed_csv_when_column_missing_says_which(tmp_path: Path) -> None:
    path = tmp_path / "fg.csv"
    path.write_text("date,fng_value\n2024-01-01,65\n")
    with pytest.raises(DataValidationError, match=r"missing column\(s\) timestamp, value"):
        load_fear_greed_csv(path)


def test_fear_greed_csv_when_file_absent_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="no such Fear & Greed file"):
        load_fear_greed_csv(tmp_path / "absent.csv")
