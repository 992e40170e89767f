"""Strategy optimisation on Optuna: search spaces, lean trial metrics, studies, reports.

``cryptotrader optimize`` and ``/api/optimize`` build on ``runner.optimise``: a study searches a
strategy's declared parameter ranges (``space``), scores each trial from the compiled backtest
kernel without building exact trades (``evaluate``), stores trials in Optuna's RDB storage
(``storage``: PostgreSQL shared by workers and machines, or SQLite), and the trials it keeps are
backtested again exactly. Optuna is imported only when a study runs. See docs/optimisation.md.
"""
