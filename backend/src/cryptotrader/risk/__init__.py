"""Risk rules shared by the backtester and the live bots: position sizing and risk reduction."""

from cryptotrader.risk.reducer import RiskChange, RiskReducer, RiskReducerConfig, RiskState
from cryptotrader.risk.sizing import PositionSize, size_position, size_stake

__all__ = [
    "PositionSize",
    "RiskChange",
    "RiskReducer",
    "RiskReducerConfig",
    "RiskState",
    "size_position",
    "size_stake",
]
