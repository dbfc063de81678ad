"""money-service domain: receipt detection, amount/merchant extraction, duplicate
charges, the spending summary and safe CSV rows. Pure: no I/O, no framework."""

from .csv_export import COLUMNS, csv_lines, csv_row, format_amount, neutralise_cell
from .duplicates import DuplicatePair, find_duplicates
from .extract import RULES_VERSION, MoneyExtraction, analyse_money, extract_money
from .receipts import Receipt
from .summary import SummaryAccumulator, summarise

__all__ = [
    "COLUMNS",
    "RULES_VERSION",
    "DuplicatePair",
    "MoneyExtraction",
    "Receipt",
    "SummaryAccumulator",
    "analyse_money",
    "csv_lines",
    "csv_row",
    "extract_money",
    "find_duplicates",
    "format_amount",
    "neutralise_cell",
    "summarise",
]
