"""The money routes. Thin: parse and validate, call one use case, shape the answer.

Every route acts for the user of the verified JWT (``CurrentUser``); no parameter can
name another user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from applylens_contracts.identity import CurrentUser

from ..adapters.index import IndexReceipts, ReceiptFilter
from ..adapters.ledger import PostgresLedger
from ..service_layer import queries

router = APIRouter(prefix="/money", tags=["money"])

_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_MERCHANT = re.compile(r"^[^\x00-\x1f\x7f]{1,253}$")


@dataclass(frozen=True, slots=True)
class MoneyAdapters:
    """What the routes need; bootstrap puts one on ``app.state.money``."""

    index: IndexReceipts
    ledger: PostgresLedger
    max_window_days: int = 365
    csv_source: str = "ledger"


def adapters(request: Request) -> MoneyAdapters:
    return request.app.state.money


Adapters = Annotated[MoneyAdapters, Depends(adapters)]


class BadParameter(BaseModel):
    """A parameter this service checks itself (dates, currency, window) was refused."""

    detail: str = Field(description="which parameter is wrong and why")


# Documents the 422 these routes really send (FastAPI would otherwise promise its list-shaped
# HTTPValidationError; their parameters are plain strings, so FastAPI itself never refuses them).
BAD_PARAMETER = {422: {"model": BadParameter, "description": "a parameter was refused"}}


def _bad(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def _parse_bound(name: str, value: str | None, *, end: bool) -> datetime | None:
    """``YYYY-MM-DD`` (a whole UTC day: ``to`` includes it) or an RFC 3339 date-time
    (naive means UTC)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time(0), tzinfo=timezone.utc)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(f"'{name}' must be a date (YYYY-MM-DD) or an RFC 3339 date-time, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def receipt_filter(
    from_: Annotated[str | None, Query(alias="from", description="first day (YYYY-MM-DD, UTC) or date-time, inclusive")] = None,
    to: Annotated[str | None, Query(description="last day (YYYY-MM-DD, UTC, inclusive) or date-time (exclusive)")] = None,
    merchant: Annotated[str | None, Query(description="merchant key, e.g. amazon.com (case-insensitive)")] = None,
    currency: Annotated[str | None, Query(description="ISO 4217 code, e.g. USD")] = None,
) -> ReceiptFilter:
    start = _parse_bound("from", from_, end=False)
    end = _parse_bound("to", to, end=True)
    if start and end and start >= end:
        raise _bad(f"'from' ({from_}) must be before 'to' ({to})")
    if currency is not None and not _CURRENCY.match(currency.strip()):
        raise _bad(f"'currency' must be a three-letter ISO 4217 code such as USD, got {currency!r}")
    if merchant is not None and not _MERCHANT.match(merchant.strip()):
        raise _bad(f"'merchant' must be 1 to 253 printable characters, got {merchant!r}")
    return ReceiptFilter(
        start=start,
        end=end,
        merchant=merchant.strip().lower() if merchant else None,
        currency=currency.strip().upper() if currency else None,
    )


@router.get(
    "/receipts.csv",
    summary="Export receipts as CSV (streamed)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "date,merchant,amount,email_id,subject,category,currency"},
               **BAD_PARAMETER},
)
async def receipts_csv(user: CurrentUser, money: Adapters, where: Annotated[ReceiptFilter, Depends(receipt_filter)]) -> StreamingResponse:
    """The caller's receipts, oldest first. Text cells that a spreadsheet would run as a
    formula are prefixed with an apostrophe. Amounts are plain decimals, refunds negative."""
    filename = f"receipts_{datetime.now(timezone.utc):%Y%m%d}.csv"
    return StreamingResponse(
        queries.export_csv(
            money.ledger.stream_receipts(user, where)
            if money.csv_source == "ledger"
            else queries.receipts_from_index(money.index, user, where)
        ),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/duplicates", summary="Possible duplicate charges", responses=BAD_PARAMETER)
async def duplicates(
    user: CurrentUser,
    money: Adapters,
    window_days: Annotated[str, Query(description="1..365 days between the two charges")] = "7",
) -> dict[str, Any]:
    """Pairs of receipts with the same merchant, amount and currency at most
    ``window_days`` apart; a re-sent receipt for the same order is not a duplicate.
    ``amount`` is a decimal string."""
    try:
        days = int(window_days)
    except ValueError:
        raise _bad(f"'window_days' must be a whole number of days from 1 to {money.max_window_days}, got {window_days!r}") from None
    if not 1 <= days <= money.max_window_days:
        raise _bad(f"'window_days' must be from 1 to {money.max_window_days}, got {days}")
    return await queries.duplicates(money.ledger, user, days)


@router.get("/summary", summary="Spending summary")
async def summary(user: CurrentUser, money: Adapters) -> dict[str, Any]:
    """``total_amount``, ``avg_amount``, ``by_merchant`` and ``by_month`` are in ``currency``,
    the caller's main currency (most receipts); ``by_currency`` totals each currency on its
    own. Amounts are decimal strings; ``count`` counts every receipt."""
    return await queries.summary(money.ledger, user)
