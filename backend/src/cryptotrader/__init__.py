"""CryptoTrader: a self-hosted crypto trading platform.

Engines (indicators -> decision -> orders -> portfolio) run over a message bus, behind a FastAPI
gateway. This package is importable only once installed (``bin/cryptotrader`` does it).
"""

__version__ = "0.1.0"
