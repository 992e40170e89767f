"""Exchanges: ccxt-backed venues (any ccxt id) and, later, the paper exchange."""
