"""ScoreEmails: a user's approve-probability for a batch of emails, and the nudged confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from applylens_contracts.events import EmailSnapshot

from ..adapters import PostgresWeights
from ..domain import BIAS_FEATURE, Calibration, exploration_draw, features, nudge_confidence, score


@dataclass(frozen=True, slots=True)
class NudgeParams:
    max_shift: float = 0.15
    floor: float = 0.05
    exploration: float = 0.1


@dataclass(frozen=True, slots=True)
class EmailScore:
    email_id: str
    score: float
    probability: float
    contributions: tuple[tuple[str, float], ...]
    features: tuple[str, ...]
    policy_confidence: float | None = None
    nudged_confidence: float | None = None
    explored: bool | None = None


@dataclass(frozen=True, slots=True)
class ScoreItem:
    """One email to score; ``policy_confidence`` (and ``policy_id``) when the caller wants it nudged."""

    email: EmailSnapshot
    policy_id: int | None = None
    policy_confidence: float | None = None


@dataclass
class ScoreEmails:
    repo: PostgresWeights
    calibration: Calibration
    nudge: NudgeParams = NudgeParams()
    max_emails: int = 500

    async def __call__(self, user_id: str, items: Sequence[ScoreItem]) -> list[EmailScore]:
        """Score each email with the user's weights in one database read; order is kept.

        When an item carries ``policy_confidence`` the result also holds the confidence nudged
        by the probability (bounded shift, floor, exploration; see ``domain/nudge.py``); the
        exploration draw is stable per (user, email id, policy id).
        """
        if len(items) > self.max_emails:
            raise ValueError(f"at most {self.max_emails} emails per request, got {len(items)}")
        per_email = [features(item.email) for item in items]
        wanted = sorted({f for fs in per_email for f in fs} | {BIAS_FEATURE})
        weights = await self.repo.weights_for(user_id, wanted) if items else {}
        out: list[EmailScore] = []
        for item, fs in zip(items, per_email):
            s = score(weights, fs, calibration=self.calibration)
            nudged = explored = None
            if item.policy_confidence is not None:
                draw = exploration_draw(user_id, item.email.id, item.policy_id)
                explored = draw < self.nudge.exploration
                nudged = nudge_confidence(
                    item.policy_confidence,
                    s.probability,
                    max_shift=self.nudge.max_shift,
                    floor=self.nudge.floor,
                    exploration=self.nudge.exploration,
                    draw=draw,
                )
            out.append(
                EmailScore(
                    email_id=item.email.id,
                    score=s.score,
                    probability=s.probability,
                    contributions=s.contributions,
                    features=tuple(fs),
                    policy_confidence=item.policy_confidence,
                    nudged_confidence=nudged,
                    explored=explored,
                )
            )
        return out
