"""The HTTP shapes of rag-service (request parameters and the POST /chat answer)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from ..domain import MAX_K, MAX_QUESTION_CHARS, Mode


class ChatParams(BaseModel):
    """A question: ``q`` (1..500 characters, not blank), ``mode`` (none | networking | money), ``k`` (1..20)."""

    q: str = Field(max_length=MAX_QUESTION_CHARS, description="the question (not blank, at most 500 characters)")
    mode: Mode = Field(default=Mode.NONE, description="none | networking | money: which topic to boost")
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="how many emails to cite, 1..20 [default: 6]")

    @field_validator("q")
    @classmethod
    def _not_blank(cls, q: str) -> str:
        q = q.strip()
        if not q:
            raise ValueError("q must not be empty or blank: ask a question about your mail")
        return q


class AtsPublic(BaseModel):
    stage: str | None
    company: str | None
    ghosting_risk: float | None


class SourcePublic(BaseModel):
    n: int = Field(description="the citation number: [n] in the answer")
    id: str
    thread_id: str
    subject: str
    sender: str
    received_at: datetime
    score: float
    why: list[str] = Field(description="why the email was boosted, one sentence per matched boost")
    boosts: list[str] = Field(description="the matched boost names (ghosting_risk, late_stage, mode_category, mode_words)")
    category: str | None
    ats: AtsPublic
    snippet: str


class ChatAnswer(BaseModel):
    question: str
    mode: Mode
    total: int = Field(description="how many emails matched in all")
    fallback: bool = Field(description="true when no email matched the question's words (sources ranked by boosts)")
    sources: list[SourcePublic]
    answer: str
    citations: list[int]
    answerer: str = Field(description="extractive | llm")


class SessionPublic(BaseModel):
    user_id: str
    expires_at: datetime | None
