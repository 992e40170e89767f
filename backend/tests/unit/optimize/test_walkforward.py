"""Walk-forward windows, out-of-sample scoring without look-ahead, and the stitched curve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import Evaluator
from cryptotrader.optimize.objectives import parse_objectives
from cryptotrader.optimize.space import build_space
from cryptotrader.optimize.study import StudyPlan
from cryptotrader.optimize.walkforward import Window, bars, walk_forward, windows


def test_windows_when_rolling_slide_and_when_anchored_grow() -> None:
    assert windows(100, train=40, test=20) == [Window(0, 0, 40, 60), Window(1, 20, 60, 80),
                                               Window(2, 40, 80, 100)]  # fmt: skip
    anchored = windows(100, train=40, test=20, step=30, anchored=True)
    assert anchored == [Window(0, 0, 40, 60), Window(1, 0, 70, 90)]
    for w in anchored:
        assert w.test_start == w.train_stop  # the test window follows, never overlaps


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"train": 90, "test": 20}, "walk-forward windows do not fit the data: train 90 + test 20"),
        ({"train": 60, "test": 30}, "walk-forward needs at least 2 windows"),
    ],
)
def test_windows_when_they_do_not_fit_the_data_is_one_line(
    kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(UserInputError) as info:
        windows(100, train=kwargs["train"], test=kwargs["test"])
    assert message in str(info.value)


def test_bars_when_durations_convert_to_candles() -> None:
    assert bars("90d", Timeframe.H1, "--wf-train") == 2160
    assert bars("2w", Timeframe.H4, "--wf-test") == 84
    assert bars("500", Timeframe.H1, "--wf-test") == 500
    with pytest.raises(UserInputError, match="--wf-test '3m': write a number of candles"):
        bars("3m", Timeframe.H1, "--wf-test")
    with pytest.raises(UserInputError, match="shorter than one 1d candle"):
        bars("5h", Timeframe.D1, "--wf-test")


def test_walk_forward_when_run_scores_each_best_on_its_unseen_test_window(
    tmp_path: Path, btc_hourly: CandleArrays
) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    plan = StudyPlan(
        name="wf",
        storage=f"sqlite:///{tmp_path / 's.db'}",
        space=build_space("sma_cross", ranges={"fast": "5:20", "slow": "25:80"}),
        objectives=parse_objectives(["sharpe"], min_trades=3),
        sampler="random",
        seed=3,
        trials=6,
    )
    spans = windows(len(btc_hourly), train=3_000, test=1_000, step=1_000)
    wf = walk_forward(plan, evaluator, spans)
    assert len(wf.results) == 5
    for result in wf.results:
        span = result.window
        # The out-of-sample figures are exactly a run on the test window with the chosen values.
        again = evaluator.run(result.params, result.protection, start=span.test_start,
                              stop=span.test_stop)  # fmt: skip
        assert again.metrics == result.out_of_sample
        # ... and a run that never saw a candle after the test window gives the same.
        cut = Evaluator("sma_cross", btc_hourly.slice(0, span.test_stop), Timeframe.H1)
        assert cut.run(result.params, result.protection, start=span.test_start).metrics == (
            result.out_of_sample
        )
    assert wf.stitched.shape == (5_000,)
    assert wf.times.shape == (5_000,)
    compounded = np.prod([1 + r.out_of_sample.total_return for r in wf.results]) - 1
    assert wf.stitched_metrics.total_return == pytest.approx(compounded)
    assert wf.stitched_metrics.trades == sum(r.out_of_sample.trades for r in wf.results)
    assert set(wf.stability) == {"fast", "slow", "stop_loss", "take_profit", "risk_ratio"}
