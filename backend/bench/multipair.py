"""Multi-pair portfolio backtest: 2 pairs x 8 years of 1h against the one-pair run, same process.

Run: ``.venv/bin/python -m bench.multipair`` from backend/ (needs ../shared/data). Both bots with
their default strategies (conservative, aggressive) and Fear & Greed, end to end (indicators,
decisions, simulation, exact ``Decimal`` trades, equity curves, metrics):

* the reference: ``PortfolioBacktest`` on BTC/USDT alone (the one-pair engine);
* ``run_portfolio`` on BTC/USDT alone (the multi-pair engine given one pair: the same trades);
* ``run_portfolio`` on BTC/USDT and ETH/USDT together.

Prints the best of 3 wall times after a warm-up run, the trades, and the ratios; the figures go to
docs/BENCHMARKS.md with the machine and its load.
"""

from __future__ import annotations

from typing import Any

from bench._common import FEAR_GREED, SHARED_DATA, best_of, load, machine, peak_rss_mib, today
from cryptotrader.domain import Timeframe
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.multipair import PairSeries, PortfolioRequest, run_portfolio
from cryptotrader.engines.backtest.portfolio import PortfolioBacktest
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.sentiment import load_fear_greed_csv
from cryptotrader.strategies import create_strategy

FILES = {
    Pair.parse("BTC/USDT"): SHARED_DATA / "binance_BTC-USDT_1h.csv.gz",
    Pair.parse("ETH/USDT"): SHARED_DATA / "binance_ETH-USDT_1h.csv.gz",
}


def main() -> None:
    """Time the three runs and print them side by side."""
    series = {pair: read_ohlcv(path).arrays for pair, path in FILES.items()}
    deps = {"fear_greed": load_fear_greed_csv(FEAR_GREED)}
    safe, aggressive = create_strategy("conservative"), create_strategy("aggressive")
    btc = Pair.parse("BTC/USDT")

    def one_pair_engine() -> Any:
        engine = BacktestEngine(dependencies=deps)
        return PortfolioBacktest(engine=engine).run(
            series[btc], Timeframe.H1, safe=safe, aggressive=aggressive
        )

    def multi(pairs: list[Pair]) -> Any:
        request = PortfolioRequest(
            series=tuple(PairSeries(pair, series[pair]) for pair in pairs),
            timeframe=Timeframe.H1,
            safe=safe,
            aggressive=aggressive,
            dependencies=deps,
        )
        return run_portfolio(request)

    reference = best_of(3, one_pair_engine)
    alone = best_of(3, lambda: multi([btc]))
    both = best_of(3, lambda: multi(list(FILES)))
    old, single, double = one_pair_engine(), multi([btc]), multi(list(FILES))
    same = [t.model_dump() for t in old.safe.trades + old.aggressive.trades] == [
        t.model_dump() for t in single.safe.trades + single.aggressive.trades
    ]
    candles = sum(len(series[pair]) for pair in FILES)
    print(f"{today()} - {machine()} - {load()}")
    print(f"one-pair engine, BTC/USDT 1h ({len(series[btc]):,} candles): {reference:.3f} s, "
          f"{len(old.safe.trades) + len(old.aggressive.trades):,} trades")  # fmt: skip
    print(f"multi-pair engine, BTC/USDT alone: {alone:.3f} s ({alone / reference:.2f}x the "
          f"one-pair engine), same trades: {same}")  # fmt: skip
    print(f"multi-pair engine, BTC/USDT + ETH/USDT ({candles:,} candles, "
          f"{len(double.combined_equity):,} merged times): {both:.3f} s, "
          f"{len(double.trades):,} trades, {both / reference:.2f}x the one-pair run "
          f"({both / reference / 2:.2f}x per pair); "
          f"{candles / both:,.0f} candles/s vs {len(series[btc]) / reference:,.0f}")  # fmt: skip
    print(f"peak memory {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
