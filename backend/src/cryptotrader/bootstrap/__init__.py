"""The composition root: the only place that builds and wires clock, bus, database and engines.

* ``bootstrap.runtime.open_runtime``: the trading runtime (market data, decisions, orders) for
  ``cryptotrader run``, ``engine`` and ``demo``;
* ``bootstrap.services.open_use_cases``: the use cases behind the API (auth, bots, trades,
  backtests, ...) on a database, a bus and a backtest pool, for ``api.app`` to serve.

The two are modules of their own so that the API's start-up does not import the trading engines,
and nothing here runs at import time.
"""
