"""The engines as bus consumers: market data -> indicators -> decisions -> orders; bot control.

Each worker turns one channel's messages into the next channel's, through the engines of
``cryptotrader.engines``; ``bootstrap`` wires them to one bus (in one process, or one worker per
process over Redis).
"""
