"""Pure policy-analytics rules: what an event counts for, the formulas, the window. No I/O."""

from .events import HistoryRow, history_rows
from .stats import (
    Counters,
    DailyPoint,
    PolicyFigures,
    daily_series,
    deltas,
    missed,
    precision,
    recall,
    window_start,
    windowed_figures,
)

__all__ = [
    "Counters",
    "DailyPoint",
    "HistoryRow",
    "PolicyFigures",
    "daily_series",
    "deltas",
    "history_rows",
    "missed",
    "precision",
    "recall",
    "window_start",
    "windowed_figures",
]
