"""``cryptotrader backtest run | compare | portfolio``: strategies over a candle file."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from cryptotrader.cli._common import (
    SEVERAL_PAIRS,
    App,
    console,
    err_console,
    file_option,
    one_file,
    optional_file,
)
from cryptotrader.errors import UserInputError

if TYPE_CHECKING:  # the engine, pandas and pydantic load when a command runs, not for --help
    from cryptotrader.cli._backtest_input import Candles
    from cryptotrader.engines.backtest import BacktestConfig, BacktestEngine

backtest_app = App(
    help="Backtest strategies on candle files (fees, slippage, intrabar stops, no look-ahead).",
    no_args_is_help=True,
)

# File options are lists so that a repeated one is refused (``one_file``), not silently dropped.
DataOpt = Annotated[list[Path], file_option("--data", help="candle file (.csv, .csv.gz, .parquet)")]
TimeframeOpt = Annotated[
    str | None, typer.Option("--timeframe", "-t", help="backtest on this timeframe (resampled)")
]
FeeOpt = Annotated[str, typer.Option("--fee", help="fee per fill, fraction of the notional")]
SlipOpt = Annotated[str, typer.Option("--slippage", help="slippage per fill, fraction of price")]
StopOpt = Annotated[
    str | None, typer.Option("--stop-loss", help="fraction below entry; default: the bot's")
]
TakeOpt = Annotated[
    str | None, typer.Option("--take-profit", help="fraction above entry; default: the bot's")
]
RiskOpt = Annotated[
    str | None, typer.Option("--risk", help="risk ratio per trade; default: the bot's")
]
StakeOpt = Annotated[
    str | None,
    typer.Option("--stake", help="put this fraction of the cash in each trade (1.0: all in)"),
]
FillOpt = Annotated[
    str, typer.Option("--fill", help="open: next bar's open (default); close: signal bar's close")
]
PairOpt = Annotated[str | None, typer.Option("--pair", help="market, default: from the file name")]
PairsOpt = Annotated[
    list[str] | None,
    typer.Option("--pair", help="market of each --data file, in order; default: from its name"),
]
DataFilesOpt = Annotated[
    list[Path] | None,
    file_option("--data", help="candle file (.csv, .csv.gz, .parquet); repeat it, one per pair"),
]
FearGreedOpt = Annotated[
    list[Path] | None,
    file_option("--fear-greed", help="Fear & Greed history CSV; default: alternative.me, cached"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object instead of tables")]
HtmlOpt = Annotated[
    list[Path] | None, file_option("--html", help="write a self-contained HTML report")
]
CurveOpt = Annotated[
    int, typer.Option("--curve-points", help="equity points in JSON (0: every candle)", min=0)
]
StepOpt = Annotated[str | None, typer.Option("--amount-step", help="market amount step")]
NotionalOpt = Annotated[str | None, typer.Option("--min-notional", help="market min notional")]


def _config(**values: Any) -> BacktestConfig:
    from cryptotrader.cli._backtest_input import decimal_option
    from cryptotrader.domain.markets import MarketRules
    from cryptotrader.engines.backtest import BacktestConfig

    fill = values.pop("fill")
    if fill not in ("open", "close"):
        raise UserInputError(f"--fill {fill!r}: expected open or close")
    step = decimal_option("--amount-step", values.pop("amount_step"))
    notional = decimal_option("--min-notional", values.pop("min_notional"))
    market = MarketRules(
        amount_step=step or MarketRules().amount_step,
        min_amount=step or MarketRules().min_amount,
        min_notional=MarketRules().min_notional if notional is None else notional,
    )
    numbers = {k: decimal_option(f"--{k.replace('_', '-')}", v) for k, v in values.items()}
    fill_mode: Literal["open", "close"] = "close" if fill == "close" else "open"
    return BacktestConfig.parse(**numbers, fill=fill_mode, market=market)


def _emit_json(payload: dict[str, Any]) -> None:
    json.dump(payload, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


def _write_html(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    err_console.print(f"wrote {path}")


def _files(
    data: list[Path], fear_greed: list[Path] | None, html: list[Path] | None
) -> tuple[Path, Path | None, Path | None]:
    """The candle file, Fear & Greed history and HTML report: one each, the report writable."""
    from cryptotrader.cli._backtest_input import check_output

    report = optional_file("--html", html)
    check_output("--html", report)
    return (
        one_file("--data", data, SEVERAL_PAIRS),
        optional_file("--fear-greed", fear_greed),
        report,
    )


def _engine(candles: Candles, config: BacktestConfig, sentiment: dict[str, Any]) -> BacktestEngine:
    from cryptotrader.config import load_settings
    from cryptotrader.engines.backtest import BacktestEngine

    trading = load_settings().trading
    return BacktestEngine(config=config, trading=trading, dependencies=sentiment, pair=candles.pair)


@backtest_app.command("run")
def run_command(  # noqa: PLR0917 - typer maps each option to a parameter
    data: DataOpt,
    strategy: Annotated[str, typer.Option("--strategy", help="sma_cross, conservative, ...")],
    timeframe: TimeframeOpt = None,
    capital: Annotated[str, typer.Option("--capital", help="initial capital")] = "1000",
    fee: FeeOpt = "0.001",
    slippage: SlipOpt = "0.0005",
    stop_loss: StopOpt = None,
    take_profit: TakeOpt = None,
    risk: RiskOpt = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="strategy parameter NAME=VALUE")
    ] = None,
    stake: StakeOpt = None,
    fill: FillOpt = "open",
    detail: Annotated[
        str | None, typer.Option("--detail", help="resolve intrabar order on finer candles (1m)")
    ] = None,
    detail_data: Annotated[
        list[Path] | None, file_option("--detail-data", help="finer candle file for --detail")
    ] = None,
    pair: PairOpt = None,
    fear_greed: FearGreedOpt = None,
    amount_step: StepOpt = None,
    min_notional: NotionalOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    plot: Annotated[list[Path] | None, file_option("--plot", help="write a PNG chart")] = None,
    curve_points: CurveOpt = 0,
) -> None:
    """Backtest one strategy on a candle file."""
    from cryptotrader.cli._backtest_input import (
        check_output,
        decimal_option,
        load_candles,
        load_detail,
        parse_params,
        sentiment_for,
    )
    from cryptotrader.engines.backtest.html import result_html
    from cryptotrader.engines.backtest.report import benchmark, metrics_table, result_dict
    from cryptotrader.engines.backtest.requests import SingleBacktest, split_params

    file, fear_greed_file, report = _files(data, fear_greed, html)
    finer_file = optional_file("--detail-data", detail_data)
    chart = optional_file("--plot", plot)
    check_output("--plot", chart)
    config = _config(
        fee=fee, slippage=slippage, stop_loss=stop_loss, take_profit=take_profit,
        risk_ratio=risk, stake=stake, fill=fill, amount_step=amount_step,
        min_notional=min_notional,
    )  # fmt: skip
    asked = SingleBacktest.parse(
        strategy=strategy,
        capital=decimal_option("--capital", capital) or Decimal(0),  # "0" is refused
        params=split_params([strategy], parse_params(param or []))[0],
    )
    chosen = asked.build()
    candles = load_candles(file, timeframe, pair)
    finer = load_detail(candles, detail, finer_file)
    engine = _engine(candles, config, sentiment_for([chosen], fear_greed_file))
    result = asked.run(engine, candles.arrays, candles.timeframe, strategy=chosen, detail=finer)
    if report is not None:
        _write_html(report, result_html(result))
    if chart is not None:
        from cryptotrader.engines.backtest.plot import plot_result

        chart.parent.mkdir(parents=True, exist_ok=True)
        plot_result(result, chart)
        err_console.print(f"wrote {chart}")
    if as_json:
        _emit_json(result_dict(result, curve_limit=curve_points))
        return
    title = (
        f"{result.strategy} - {candles.pair} {candles.timeframe} - {len(candles.arrays)} candles"
    )
    columns = [(result.strategy_name, result.metrics), ("buy & hold", benchmark(result))]
    console.print(metrics_table(title, columns))


@backtest_app.command("compare")
def compare_command(  # noqa: PLR0917 - typer maps each option to a parameter
    data: DataOpt,
    strategies: Annotated[
        str, typer.Option("--strategies", help="comma-separated, e.g. sma_cross,conservative")
    ],
    timeframe: TimeframeOpt = None,
    capital: Annotated[str, typer.Option("--capital", help="initial capital")] = "1000",
    fee: FeeOpt = "0.001",
    slippage: SlipOpt = "0.0005",
    stop_loss: StopOpt = None,
    take_profit: TakeOpt = None,
    risk: RiskOpt = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="STRATEGY.NAME=VALUE")] = None,
    stake: StakeOpt = None,
    fill: FillOpt = "open",
    pair: PairOpt = None,
    fear_greed: FearGreedOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    curve_points: CurveOpt = 0,
) -> None:
    """Several strategies on the same candles, side by side."""
    from cryptotrader.cli._backtest_input import (
        decimal_option,
        load_candles,
        parse_params,
        sentiment_for,
    )
    from cryptotrader.engines.backtest.html import comparison_html
    from cryptotrader.engines.backtest.report import benchmark, metrics_table, result_dict
    from cryptotrader.engines.backtest.requests import CompareBacktest

    file, fear_greed_file, report = _files(data, fear_greed, html)
    config = _config(
        fee=fee, slippage=slippage, stop_loss=stop_loss, take_profit=take_profit,
        risk_ratio=risk, stake=stake, fill=fill, amount_step=None, min_notional=None,
    )  # fmt: skip
    asked = CompareBacktest.parse(
        strategies=[n.strip() for n in strategies.split(",") if n.strip()],
        capital=decimal_option("--capital", capital) or Decimal(0),  # "0" is refused
        params=parse_params(param or []),
    )
    chosen = asked.build()
    candles = load_candles(file, timeframe, pair)
    engine = _engine(candles, config, sentiment_for(chosen, fear_greed_file))
    results = asked.run(engine, candles.arrays, candles.timeframe, strategies=chosen)
    if report is not None:
        _write_html(report, comparison_html(results))
    if as_json:
        _emit_json({"results": [result_dict(r, curve_limit=curve_points) for r in results]})
        return
    title = f"comparison - {candles.pair} {candles.timeframe} - {len(candles.arrays)} candles"
    headers = _short_headers([r.strategy_name for r in results])
    columns = [(h, r.metrics) for h, r in zip(headers, results, strict=True)]
    console.print(metrics_table(title, [*columns, ("buy & hold", benchmark(results[0]))]))
    for header, result in zip(headers, results, strict=True):  # the parameters, below the table
        console.print(f"{header}: {result.strategy}", markup=False, soft_wrap=True)


def _short_headers(names: list[str]) -> list[str]:
    """Column headers that stay on one line: the strategy's name, numbered when repeated."""
    return [
        f"{name} #{names[:i].count(name) + 1}" if names.count(name) > 1 else name
        for i, name in enumerate(names)
    ]


@backtest_app.command("portfolio")
def portfolio_command(  # noqa: PLR0917 - typer maps each option to a parameter
    data: DataFilesOpt = None,
    stored: Annotated[
        list[str] | None,
        typer.Option("--stored", help="a pair from the candle store (repeatable; --timeframe)"),
    ] = None,
    exchange: Annotated[
        str | None, typer.Option("--exchange", help="of --stored series (default: configured)")
    ] = None,
    timeframe: TimeframeOpt = None,
    safe_strategy: Annotated[str, typer.Option("--safe-strategy")] = "conservative",
    aggressive_strategy: Annotated[str, typer.Option("--aggressive-strategy")] = "aggressive",
    safe_capital: Annotated[
        str | None, typer.Option("--safe-capital", help="default: settings (700)")
    ] = None,
    aggressive_capital: Annotated[
        str | None, typer.Option("--aggressive-capital", help="default: settings (300)")
    ] = None,
    reallocation: Annotated[
        str | None,
        typer.Option(
            "--reallocation",
            help="share of each winning aggressive trade's profit moved to safe "
            "(0.10-0.50; default 0.30)",
        ),
    ] = None,
    sweep: Annotated[
        str | None,
        typer.Option("--sweep-reallocation", help="START:STOP:STEP, e.g. 0.1:0.5:0.1"),
    ] = None,
    on_deep_streak: Annotated[
        str, typer.Option("--on-deep-streak", help="after 5 losses: quarter (risk/4) or pause")
    ] = "quarter",
    fee: FeeOpt = "0.001",
    slippage: SlipOpt = "0.0005",
    fill: FillOpt = "open",
    pair: PairsOpt = None,
    fear_greed: FearGreedOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    curve_points: CurveOpt = 0,
) -> None:
    """Both bots on the same candles: capital split, reallocation and risk reduction.

    Several --data files (one per pair) or --stored pairs run both bots over every pair together:
    merged candle times, the risk manager's limits across pairs (docs/backtesting.md, "Several
    pairs").
    """
    from cryptotrader.cli._backtest_input import (
        check_output,
        decimal_option,
        load_candles,
        load_pairs,
        load_stored,
        sentiment_for,
    )
    from cryptotrader.config import TradingSettings, load_settings
    from cryptotrader.engines.backtest import BacktestEngine
    from cryptotrader.engines.backtest.multipair import PairSeries, PortfolioRequest
    from cryptotrader.engines.backtest.portfolio_sweep import PortfolioSweep

    fear_greed_file = optional_file("--fear-greed", fear_greed)
    report = optional_file("--html", html)
    check_output("--html", report)
    config = _config(
        fee=fee, slippage=slippage, stop_loss=None, take_profit=None, risk_ratio=None,
        stake=None, fill=fill, amount_step=None, min_notional=None,
    )  # fmt: skip
    settings = load_settings()
    trading: TradingSettings = settings.trading
    asked = PortfolioSweep.parse(
        trading,
        safe_strategy=safe_strategy,
        aggressive_strategy=aggressive_strategy,
        safe_capital=decimal_option("--safe-capital", safe_capital),
        aggressive_capital=decimal_option("--aggressive-capital", aggressive_capital),
        reallocation=decimal_option("--reallocation", reallocation),
        sweep=sweep,
        on_deep_streak=on_deep_streak,
    )
    safe, aggressive = asked.strategies()
    files, held = data or [], stored or []
    if not files and not held:
        raise UserInputError("give --data FILE (one per pair) or --stored PAIR")
    if len(files) + len(held) > 1 or held:
        series = load_pairs(files, timeframe, pair or []) if files else []
        series += load_stored(held, timeframe, exchange) if held else []
        request = PortfolioRequest(
            series=tuple(PairSeries(c.pair, c.arrays) for c in series),
            timeframe=series[0].timeframe,
            safe=safe,
            aggressive=aggressive,
            capital=asked.capital,
            config=config,
            trading=trading,
            runtime=settings.runtime,
            on_deep_streak=asked.on_deep_streak,
            dependencies=sentiment_for([safe, aggressive], fear_greed_file),
        )
        _portfolio_pairs(
            request, list(asked.ratios), as_json=as_json, sweep=sweep is not None, report=report,
            points=curve_points,
        )  # fmt: skip
        return
    candles = load_candles(files[0], timeframe, optional_file_value("--pair", pair))
    engine = BacktestEngine(
        config=config,
        trading=trading,
        dependencies=sentiment_for([safe, aggressive], fear_greed_file),
        pair=candles.pair,
    )
    results = asked.run(engine, candles.arrays, candles.timeframe, strategies=(safe, aggressive))
    _portfolio_one(
        results, f"{candles.pair} {candles.timeframe} - {len(candles.arrays)} candles",
        as_json=as_json, sweep=sweep is not None, report=report, points=curve_points,
    )  # fmt: skip


def _portfolio_one(
    results: list[Any],
    what: str,
    *,
    as_json: bool,
    sweep: bool,
    report: Path | None,
    points: int,
) -> None:
    """``backtest portfolio`` over one pair: JSON, HTML or tables (as before several pairs)."""
    from cryptotrader.engines.backtest.html import portfolio_html
    from cryptotrader.engines.backtest.report import (
        metrics_table,
        portfolio_benchmark,
        portfolio_dict,
    )

    if report is not None:
        _write_html(report, portfolio_html(results))
    if as_json:
        payloads = [portfolio_dict(r, curve_limit=points) for r in results]
        _emit_json({"sweep": payloads} if sweep else payloads[0])
        return
    title = f"portfolio - {what}"
    if not sweep:
        only = results[0]
        columns = [
            ("safe", only.safe.metrics),
            ("aggressive", only.aggressive.metrics),
            ("combined", only.combined),
            ("buy & hold", portfolio_benchmark(only)),
        ]
        console.print(metrics_table(title, columns))
        moved = sum((r.amount for r in only.reallocations), Decimal(0))
        console.print(
            f"{len(only.reallocations)} reallocations ({moved:,.2f} moved to safe), "
            f"{len(only.risk_changes)} risk changes"
        )
        _print_sources(only, moved)
        return
    columns = [(f"ratio {r.reallocation_ratio}", r.combined) for r in results]
    console.print(metrics_table(title, [*columns, ("buy & hold", portfolio_benchmark(results[0]))]))


def optional_file_value(option: str, given: list[str] | None) -> str | None:
    """The one value of a repeatable option used once here (one --data file: one --pair).

    Raises:
        UserInputError: given several times.
    """
    if given and len(given) > 1:
        raise UserInputError(f"{option} given {len(given)} times for one --data file: give it once")
    return given[0] if given else None


def _portfolio_pairs(
    request: Any,
    ratios: list[Decimal],
    *,
    as_json: bool,
    sweep: bool,
    report: Path | None,
    points: int,
) -> None:
    """``backtest portfolio`` over several pairs: each ratio's run, then JSON, HTML or tables."""
    import dataclasses

    from cryptotrader.engines.backtest.html import multipair_html
    from cryptotrader.engines.backtest.multipair import run_portfolio
    from cryptotrader.engines.backtest.report import metrics_table, multipair_dict, pairs_table

    results = [
        run_portfolio(dataclasses.replace(request, reallocation_ratio=ratio)) for ratio in ratios
    ]
    fee = request.config.fee
    if report is not None:
        _write_html(report, multipair_html(results[len(results) // 2], fee))
    if as_json:
        payloads = [multipair_dict(r, fee=fee, curve_limit=points) for r in results]
        _emit_json({"sweep": payloads} if sweep else payloads[0])
        return
    first = results[0]
    symbols = ", ".join(p.symbol for p in first.pairs)
    title = f"portfolio - {symbols} {first.timeframe} - {len(first.combined_equity)} candle times"
    if sweep:
        columns = [(f"ratio {r.reallocation_ratio}", r.combined) for r in results]
        console.print(metrics_table(title, columns))
        return
    columns = [
        ("safe", first.safe.metrics),
        ("aggressive", first.aggressive.metrics),
        ("combined", first.combined),
    ]
    console.print(metrics_table(title, columns))
    console.print(pairs_table(first, fee))
    moved = sum((r.amount for r in first.reallocations), Decimal(0))
    refused = first.safe.refused_entries + first.aggressive.refused_entries
    console.print(
        f"{len(first.reallocations)} reallocations ({moved:,.2f} moved to safe), "
        f"{len(first.risk_changes)} risk changes, {refused} entries refused"
    )


def _print_sources(result: Any, moved: Decimal) -> None:
    """Per bot: what its trades earned apart from the capital reallocation moved in or out."""
    from rich.table import Table

    table = Table(title="where each bot's capital change came from")
    for column in ("bot", "initial", "P&L from trading", "reallocation", "final"):
        table.add_column(column, justify="right")
    for name, bot, transfer in (
        ("safe", result.safe, moved),
        ("aggressive", result.aggressive, -moved),
    ):
        traded = sum((t.pnl or Decimal(0) for t in bot.trades), Decimal(0))
        table.add_row(
            name,
            f"{bot.metrics.initial_capital:,.2f}",
            f"{traded:+,.2f}",
            f"{transfer:+,.2f}",
            f"{bot.metrics.final_capital:,.2f}",
        )
    console.print(table)
