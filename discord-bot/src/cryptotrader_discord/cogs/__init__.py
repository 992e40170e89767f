"""Slash commands, by concern: ``monitoring`` (read) and ``trading`` (control, backtests)."""
