"""Ops-only routes (``serve --role all``): the job's recent runs. Not exposed through the gateway."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

router = APIRouter(prefix="/ats", tags=["ops"])


class RunPublic(BaseModel):
    run_id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    as_of: datetime
    attempts: int
    written: int
    error: str | None


@router.get("/runs", summary="The job's most recent runs, newest first")
async def runs(request: Request, limit: int = Query(default=10, ge=1, le=100)) -> list[RunPublic]:
    services = request.app.state.services
    return [RunPublic(**row) for row in await services.state.recent_runs(limit)]
