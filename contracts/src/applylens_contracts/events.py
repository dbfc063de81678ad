"""Event payloads (the JSON body of a CloudEvent) and the topics they travel on.

Wire format: CloudEvents 1.0, Kafka binary content mode (see ``cloudevents.py``).
Unknown extra fields are ignored for forward compatibility; a missing required
field is a validation error (the consumer sends the message to the DLQ).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TOPIC_ACTIONS = "applylens.actions.v1"
TOPIC_EMAILS = "applylens.emails.v1"


def dlq_topic(topic: str) -> str:
    """Dead-letter topic of ``topic``: where messages that fail validation or repeatedly fail go."""
    return f"{topic}.dlq"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class EmailSnapshot(_Payload):
    """The part of an email a decision is about, carried in the event so consumers never call back."""

    id: str = Field(min_length=1)
    category: str | None = None
    sender_domain: str | None = None
    list_id: str | None = None
    subject: str = ""
    received_at: AwareDatetime | None = None
    labels: tuple[str, ...] = ()


class _ActionEvent(_Payload):
    ce_type: ClassVar[str]
    topic: ClassVar[str] = TOPIC_ACTIONS

    user_id: str = Field(min_length=1)
    action_id: str = Field(min_length=1)
    policy_id: int
    policy_name: str
    action: str = Field(min_length=1, description="the action kind, e.g. archive_email")
    email: EmailSnapshot
    occurred_at: AwareDatetime

    @property
    def key(self) -> str:
        return self.user_id


class ActionProposed(_ActionEvent):
    """A policy fired and proposed an action on an email."""

    ce_type: ClassVar[str] = "applylens.action.proposed"
    kind: ClassVar[Literal["proposed"]] = "proposed"


class ActionApproved(_ActionEvent):
    """The user approved a proposed action (y = +1 for the learner)."""

    ce_type: ClassVar[str] = "applylens.action.approved"
    kind: ClassVar[Literal["approved"]] = "approved"


class ActionRejected(_ActionEvent):
    """The user rejected a proposed action (y = -1 for the learner)."""

    ce_type: ClassVar[str] = "applylens.action.rejected"
    kind: ClassVar[Literal["rejected"]] = "rejected"


class ActionManual(_ActionEvent):
    """The user took an action without a proposal (needed for recall)."""

    ce_type: ClassVar[str] = "applylens.action.manual"
    kind: ClassVar[Literal["manual"]] = "manual"

    policy_id: int | None = None
    policy_name: str | None = None


class IngestedEmail(EmailSnapshot):
    thread_id: str | None = None
    message_id: str | None = None
    from_: str | None = Field(default=None, alias="from")

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class EmailIngested(_Payload):
    """A new email was indexed for a user (topic applylens.emails.v1)."""

    ce_type: ClassVar[str] = "applylens.email.ingested"
    topic: ClassVar[str] = TOPIC_EMAILS

    user_id: str = Field(min_length=1)
    email: IngestedEmail
    occurred_at: AwareDatetime

    @property
    def key(self) -> str:
        return self.user_id


ActionEvent = ActionProposed | ActionApproved | ActionRejected | ActionManual
Event = ActionEvent | EmailIngested

EVENT_TYPES: dict[str, type[_ActionEvent] | type[EmailIngested]] = {
    model.ce_type: model
    for model in (ActionProposed, ActionApproved, ActionRejected, ActionManual, EmailIngested)
}
