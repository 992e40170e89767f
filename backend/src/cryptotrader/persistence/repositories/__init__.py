"""Repository functions: keyword-only, ``session`` first, run inside the caller's unit of work.

One module per aggregate (``bots``, ``orders``, ``trades``, ``reallocations``, ``audit``,
``settings``, ``checkpoints``, ``inbox``, ``ohlcv``); import the module and call its functions,
e.g. ``await orders.add_order(session=uow.session, order=order, exchange="binance")``.
"""
