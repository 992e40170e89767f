"""``python -m cryptotrader`` is the same as the ``cryptotrader`` command."""

from cryptotrader.cli import main

main()
