"""GET /policy/stats and /policy/stats/{policy_id}, scoped to the caller's verified JWT."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, TypeAdapter

from applylens_contracts.identity import CurrentUser

from ..adapters.postgres import StatsRow
from ..service_layer import handlers
from ..service_layer.handlers import StatsStore


class PolicyStatsPublic(BaseModel):
    policy_id: int
    name: str | None
    precision: float | None
    recall: float | None
    approved: int
    rejected: int
    fired: int
    window_days: int
    updated_at: datetime | None

    @classmethod
    def of(cls, row: StatsRow) -> "PolicyStatsPublic":
        # Rows come typed from our own table: no need to validate them again.
        return cls.model_construct(**{name: getattr(row, name) for name in _PUBLIC_FIELDS})


_PUBLIC_FIELDS = tuple(PolicyStatsPublic.model_fields)
_STATS_LIST = TypeAdapter(list[PolicyStatsPublic])


class DailyPointPublic(BaseModel):
    day: date
    fired: int
    approved: int
    rejected: int
    precision: float | None


class PolicyStatsDetail(PolicyStatsPublic):
    series: list[DailyPointPublic]


def stats_store(request: Request) -> StatsStore:
    return request.app.state.stats_store


Store = Annotated[StatsStore, Depends(stats_store)]

router = APIRouter(prefix="/policy", tags=["policy"])


@router.get("/stats", response_model=list[PolicyStatsPublic],
            summary="The caller's policies: precision, recall and counts over the window, most-fired first")
async def get_stats(user: CurrentUser, store: Store) -> Response:
    rows = await handlers.list_stats(store, user)
    # Serialized once, here (returning models would validate and serialize them a second time).
    return Response(_STATS_LIST.dump_json([PolicyStatsPublic.of(row) for row in rows]),
                    media_type="application/json")


@router.get("/stats/{policy_id}", response_model=PolicyStatsDetail,
            summary="One of the caller's policies with a daily series (UTC days) for the trend chart",
            responses={404: {"description": "the caller has no stats for this policy"}})
async def get_policy_stats(
    user: CurrentUser,
    store: Store,
    policy_id: Annotated[int, Path(ge=0, le=2**31 - 1)],
    days: Annotated[int | None, Query(ge=1, le=366, description="series length in days; default the row's window")] = None,
) -> PolicyStatsDetail:
    detail = await handlers.policy_detail(store, user, policy_id, days=days)
    if detail is None:  # unknown, or another user's: the same answer, so nothing leaks
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no stats for policy {policy_id} for this user")
    series = [DailyPointPublic(day=p.day, fired=p.fired, approved=p.approved, rejected=p.rejected,
                               precision=p.precision) for p in detail.series]
    return PolicyStatsDetail(**PolicyStatsPublic.of(detail.stats).model_dump(), series=series)
