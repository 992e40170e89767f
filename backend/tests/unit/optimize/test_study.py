"""Studies on SQLite: reproducible from a seed, resumable, refusals before anything is written."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestResult
from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import Evaluator
from cryptotrader.optimize.objectives import parse_objectives
from cryptotrader.optimize.runner import optimise
from cryptotrader.optimize.space import build_space
from cryptotrader.optimize.storage import open_storage
from cryptotrader.optimize.study import StudyPlan, best_trials, finished_count, run_study


def _plan(tmp_path: Path, name: str = "s", **changes: object) -> StudyPlan:
    values: dict[str, object] = {
        "name": name,
        "storage": f"sqlite:///{tmp_path / 'studies.db'}",
        "space": build_space("sma_cross", ranges={"fast": "5:20", "slow": "25:80"}),
        "objectives": parse_objectives(["sharpe"], min_trades=5),
        "seed": 7,
        "trials": 12,
    }
    values.update(changes)
    return StudyPlan(**values)  # type: ignore[arg-type]


def _params(study: optuna.Study) -> list[dict[str, object]]:
    return [t.params for t in sorted(study.trials, key=lambda t: t.number)]


def test_study_when_seeded_on_one_worker_is_reproducible(
    tmp_path: Path, btc_hourly: CandleArrays
) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    first = run_study(_plan(tmp_path, "a"), evaluator)
    second = run_study(_plan(tmp_path, "b"), evaluator)
    assert _params(first) == _params(second)
    assert [t.values for t in first.trials] == [t.values for t in second.trials]
    assert len(first.trials) == 12


def test_study_when_run_again_resumes_up_to_the_trial_budget(
    tmp_path: Path, btc_hourly: CandleArrays
) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    run_study(_plan(tmp_path, trials=5), evaluator)
    study = run_study(_plan(tmp_path, trials=9), evaluator)
    assert finished_count(study) == 9
    again = run_study(_plan(tmp_path, trials=9), evaluator)
    assert len(again.trials) == 9  # the budget is met: nothing more runs


def test_study_when_same_name_has_another_space_is_refused(
    tmp_path: Path, btc_hourly: CandleArrays
) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    run_study(_plan(tmp_path, trials=2), evaluator)
    other = build_space("sma_cross", ranges={"fast": "5:30"})
    with pytest.raises(UserInputError, match="already exists with another search space"):
        run_study(_plan(tmp_path, space=other, trials=2), evaluator)


def test_study_when_several_objectives_keeps_a_feasible_pareto_front(
    tmp_path: Path, btc_hourly: CandleArrays
) -> None:
    goals = parse_objectives(["profit", "drawdown"], min_trades=5, max_drawdown=0.4)
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    result = optimise(_plan(tmp_path, objectives=goals, trials=16), evaluator)
    assert result.chosen
    front = [(c.metrics.total_return, c.metrics.max_drawdown) for c in result.chosen]
    for ret, dd in front:
        assert dd <= 0.4
        # No other chosen trial is better on both objectives.
        assert not any(r >= ret and d <= dd and (r, d) != (ret, dd) for r, d in front)
    for chosen in result.chosen:
        assert isinstance(chosen.exact, BacktestResult)
        assert chosen.exact.metrics.total_trades == chosen.metrics.trades
        assert chosen.exact.metrics.total_return == pytest.approx(chosen.metrics.total_return)


def test_study_when_best_is_chosen_it_is_feasible_and_the_best_value(
    tmp_path: Path, btc_hourly: CandleArrays
) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    study = run_study(_plan(tmp_path, trials=10, sampler="random"), evaluator)
    best = best_trials(study)
    assert len(best) == 1
    feasible = [t for t in study.trials if t.user_attrs.get("violation", 1) <= 0 and t.values]
    assert best[0].values[0] == max(t.values[0] for t in feasible)


def test_study_when_early_stop_stops_before_the_budget(
    tmp_path: Path, btc_hourly: CandleArrays
) -> None:
    evaluator = Evaluator("sma_cross", btc_hourly, Timeframe.H1)
    study = run_study(_plan(tmp_path, trials=200, patience=3, sampler="random"), evaluator)
    assert len(study.trials) < 200


def test_storage_when_it_is_the_application_database_is_refused(tmp_path: Path) -> None:
    app = f"sqlite+aiosqlite:///{tmp_path / 'cryptotrader.db'}"
    with pytest.raises(UserInputError, match="application's own database"):
        open_storage(f"sqlite:///{tmp_path / 'cryptotrader.db'}", app_database_url=app)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://nobody@127.0.0.1:1/none", "cannot be reached"),
        ("mysql://x@127.0.0.1/db", "'mysql' is not supported"),
        ("sqlite:///no/such/folder/s.db", "does not exist"),
        ("sqlite://", "needs a file"),
    ],
)
def test_storage_when_unusable_is_one_line(url: str, message: str) -> None:
    with pytest.raises(UserInputError) as info:
        open_storage(url)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
