"""The engines: indicator, decision, order, portfolio, backtest; each one module or package."""
