"""HTTP routes: the caller's weights (read, edit, reset) and scoring, all scoped to the verified JWT."""

# No `from __future__ import annotations`: the route signatures use the settings of build_router
# in their annotations, which FastAPI must evaluate in the closure.

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from applylens_contracts.events import EmailSnapshot
from applylens_contracts.identity import CurrentUser

from ..service_layer import EditWeights, ScoreEmails
from ..service_layer.scoring import ScoreItem
from ..service_layer.weights import WeightNotFound
from ..settings import LearnerSettings


class WeightPublic(BaseModel):
    feature: str
    weight: float
    updated_at: datetime | None = None


class WeightsPage(BaseModel):
    user_id: str
    algorithm: str
    order: Literal["abs", "desc", "asc"]
    total: int = Field(description="how many weights the user has in all")
    weights: list[WeightPublic]


class WeightUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    weight: float = Field(description="the new weight; finite, within the configured bound")


class ResetResult(BaseModel):
    deleted: int


class ScoreEmailIn(EmailSnapshot):
    """An email snapshot (the event's shape), optionally with the policy confidence to nudge."""

    policy_id: int | None = Field(default=None, description="the policy proposing on this email (keys the exploration draw)")
    policy_confidence: float | None = Field(default=None, ge=0, le=1, description="the policy's own confidence, to be nudged")


class ScoreRequest(BaseModel):
    emails: list[ScoreEmailIn] = Field(min_length=1)


class Contribution(BaseModel):
    feature: str
    weight: float


class EmailScorePublic(BaseModel):
    email_id: str
    score: float = Field(description="Σ weights of the email's features (plus the user's bias weight)")
    probability: float = Field(description="calibrated approve-probability in (0, 1)")
    contributions: list[Contribution] = Field(description="features with a non-zero weight, largest |weight| first")
    features: list[str]
    policy_confidence: float | None = None
    nudged_confidence: float | None = Field(default=None, description="policy_confidence nudged by probability; never silenced")
    explored: bool | None = Field(default=None, description="true when the exploration draw skipped the nudge")


class ScoreResponse(BaseModel):
    user_id: str
    algorithm: str
    results: list[EmailScorePublic]


def _edit(request: Request) -> EditWeights:
    return request.app.state.learner.edit


def _score(request: Request) -> ScoreEmails:
    return request.app.state.learner.score


Edit = Annotated[EditWeights, Depends(_edit)]
Score = Annotated[ScoreEmails, Depends(_score)]
FeaturePath = Annotated[str, Path(description="e.g. category:promo, sender_domain:groupon.com, contains:sale, bias")]


class Unprocessable(BaseModel):
    """422: FastAPI's list of validation errors, or one message from the learner's own checks."""

    detail: str | list[dict[str, Any]]


# Routes that also raise _bad_input document both shapes (FastAPI alone promises only the list).
UNPROCESSABLE: dict[int | str, dict[str, Any]] = {422: {"model": Unprocessable, "description": "invalid input"}}


def _bad_input(exc: ValueError) -> HTTPException:
    return HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc))


def build_router(settings: LearnerSettings) -> APIRouter:
    router = APIRouter(prefix="/learner", tags=["learner"])
    algorithm = settings.learner_algorithm

    @router.get("/weights", response_model=WeightsPage, summary="The caller's learned weights")
    async def list_weights(
        user: CurrentUser,
        edit: Edit,
        limit: Annotated[int, Query(ge=1, le=settings.learner_max_weights_page)] = 50,
        order: Annotated[Literal["abs", "desc", "asc"], Query(description="abs: by |weight| (dislikes too)")] = "abs",
    ) -> WeightsPage:
        total, rows = await edit.list(user, limit=limit, order=order)
        return WeightsPage(
            user_id=user, algorithm=algorithm, order=order, total=total,
            weights=[WeightPublic(feature=r.feature, weight=r.weight, updated_at=r.updated_at) for r in rows],
        )

    @router.put("/weights/{feature}", response_model=WeightPublic, summary="Set one of the caller's weights",
                responses=UNPROCESSABLE)
    async def put_weight(user: CurrentUser, edit: Edit, feature: FeaturePath, body: WeightUpdate) -> WeightPublic:
        try:
            row = await edit.set(user, feature, body.weight)
        except ValueError as exc:
            raise _bad_input(exc) from None
        return WeightPublic(feature=row.feature, weight=row.weight, updated_at=row.updated_at)

    @router.delete("/weights/{feature}", status_code=204, summary="Forget one of the caller's weights",
                   responses=UNPROCESSABLE)
    async def delete_weight(user: CurrentUser, edit: Edit, feature: FeaturePath) -> Response:
        try:
            await edit.delete(user, feature)
        except ValueError as exc:
            raise _bad_input(exc) from None
        except WeightNotFound as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        return Response(status_code=204)

    @router.delete("/weights", response_model=ResetResult, summary="Forget everything learned for the caller")
    async def reset_weights(user: CurrentUser, edit: Edit) -> ResetResult:
        return ResetResult(deleted=await edit.reset(user))

    @router.post("/score", response_model=ScoreResponse, summary="Approve-probability of emails for the caller",
                 responses=UNPROCESSABLE)
    async def score_emails(user: CurrentUser, scorer: Score, body: ScoreRequest) -> ScoreResponse:
        items = [ScoreItem(e, e.policy_id, e.policy_confidence) for e in body.emails]
        try:
            results = await scorer(user, items)
        except ValueError as exc:
            raise _bad_input(exc) from None
        return ScoreResponse(
            user_id=user,
            algorithm=algorithm,
            results=[
                EmailScorePublic(
                    email_id=r.email_id, score=r.score, probability=r.probability,
                    contributions=[Contribution(feature=f, weight=w) for f, w in r.contributions],
                    features=list(r.features), policy_confidence=r.policy_confidence,
                    nudged_confidence=r.nudged_confidence, explored=r.explored,
                )
                for r in results
            ],
        )

    return router
