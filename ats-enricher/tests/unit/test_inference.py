from datetime import datetime, timedelta, timezone

import pytest

from applylens_ats.domain.companies import company_from_display_name, company_from_text
from applylens_ats.domain.inference import (
    InferredAts,
    fold,
    fold_by_application,
    infer_from_email,
    infer_stage,
    parse_interview_date,
)
from applylens_ats.domain.model import EmailFacts
from applylens_ats.domain.stages import Stage

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=timezone.utc)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


@pytest.mark.parametrize(
    ("subject", "body", "stage"),
    [
        ("Thank you for applying to Acme", "We have received your application.", Stage.APPLIED),
        ("Application received", "", Stage.APPLIED),
        ("Interview invitation", "We'd like to invite you to interview.", Stage.PHONE_SCREEN),
        ("Next steps", "Please schedule your onsite with our coordinator.", Stage.ONSITE),
        ("Next steps", "Please pick a slot for a technical interview.", Stage.TECHNICAL_SCREEN),
        ("Your take-home exercise", "", Stage.ASSESSMENT),
        ("Intro call", "Looking forward to a quick intro call with you.", Stage.RECRUITER_SCREEN),
        ("Final round", "You're invited to the final round.", Stage.FINAL_ROUND),
        ("Update", "Unfortunately, we have decided to move forward with other candidates.", Stage.REJECTED),
        ("Thank you for applying", "Thank you for applying. Unfortunately, we will not be moving forward.",
         Stage.REJECTED),
        ("Your application", "We regret to inform you that the position has been filled.", Stage.REJECTED),
        ("Offer", "We are pleased to offer you the position of Backend Engineer.", Stage.OFFER),
        ("Welcome aboard!", "", Stage.HIRED),
        ("Withdrawal", "This confirms your withdrawal of your application.", Stage.WITHDRAWN),
        ("Weekly digest", "Here are this week's top stories.", None),
    ],
)
def test_infer_stage_from_phrases(subject: str, body: str, stage: Stage | None) -> None:
    assert infer_stage(subject, body) is stage


def test_unfortunately_without_a_decision_is_not_a_rejection() -> None:
    stage = infer_stage("Interview invitation", "Unfortunately, we need to reschedule your interview to Friday.")
    assert stage is Stage.PHONE_SCREEN


@pytest.mark.parametrize(
    ("display", "company"),
    [
        ("Acme Recruiting", "Acme"),
        ("Globex Hiring Team", "Globex"),
        ("Initech Talent Acquisition", "Initech"),
        ("Umbrella Corp (via Lever)", "Umbrella Corp"),
        ("Greenhouse", None),
        ("no-reply", None),
        (None, None),
    ],
)
def test_company_from_ats_display_name(display: str | None, company: str | None) -> None:
    assert company_from_display_name(display) == company


@pytest.mark.parametrize(
    ("subject", "body", "company"),
    [
        ("Thank you for applying to Acme Corp for the Backend Engineer position", "", "Acme Corp"),
        ("Interview invitation: Senior Engineer at Globex", "", "Globex"),
        ("Your application", "Thank you for your application to Initech. We'll be in touch.", "Initech"),
        ("Update", "Thanks for your interest in joining Hooli!", "Hooli"),
        ("Interview", "Your interview is at 10am on Monday.", None),
        ("Thanks for applying to the Backend Engineer role at Pied Piper!", "", "Pied Piper"),
    ],
)
def test_company_from_text(subject: str, body: str, company: str | None) -> None:
    assert company_from_text(subject, body) == company


def test_infers_from_greenhouse_notification() -> None:
    inferred = infer_from_email(EmailFacts(
        sender="Acme Recruiting <no-reply@us.greenhouse-mail.io>",
        subject="Thank you for applying to Acme!",
        body_text="Hi Alice, thanks for applying for the Backend Engineer role.",
        thread_id="t1",
        received_at=T0,
    ))
    assert inferred == InferredAts(system="greenhouse", company="Acme", stage=Stage.APPLIED,
                                   occurred_at=T0, thread_id="t1")
    assert inferred.application_id == "inferred:acme"


def test_infers_company_from_subject_when_display_name_is_the_ats() -> None:
    inferred = infer_from_email(EmailFacts(
        sender="Workday <donotreply@myworkday.com>",
        subject="Unfortunately — your application to Initech",
        body_text="Unfortunately, we have decided not to move forward with your candidacy.",
        received_at=T0,
    ))
    assert inferred is not None
    assert (inferred.system, inferred.company, inferred.stage) == ("workday", "Initech", Stage.REJECTED)


def test_interview_date_is_read_when_stated() -> None:
    inferred = infer_from_email(EmailFacts(
        sender="Globex Hiring <no-reply@hire.lever.co>",
        subject="Schedule your onsite",
        body_text="Your onsite interview is confirmed for March 5, 2026 at 2:30 PM.",
        received_at=T0,
    ))
    assert inferred is not None and inferred.stage is Stage.ONSITE
    assert inferred.interview_date == datetime(2026, 3, 5, 14, 30, tzinfo=timezone.utc)


def test_parse_interview_date_forms() -> None:
    ref = datetime(2026, 11, 20, tzinfo=timezone.utc)
    utc = timezone.utc
    assert parse_interview_date("on 2026-12-01 09:15", reference=ref) == datetime(2026, 12, 1, 9, 15, tzinfo=utc)
    assert parse_interview_date("Tuesday, Dec 1st at 10am", reference=ref) == datetime(2026, 12, 1, 10, tzinfo=utc)
    # No year and already past this year: next year.
    assert parse_interview_date("on 5 January", reference=ref) == datetime(2027, 1, 5, tzinfo=timezone.utc)
    assert parse_interview_date("February 30", reference=ref) is None
    assert parse_interview_date("no date here", reference=ref) is None


def test_non_ats_sender_needs_recruiting_context() -> None:
    promo = EmailFacts(sender="deals@shop.example", subject="We are pleased to offer you 20% off",
                       body_text="This week only.", received_at=T0)
    assert infer_from_email(promo) is None
    recruiter = EmailFacts(sender="Jane Doe <jane@hooli.com>", subject="Offer letter",
                           body_text="We are pleased to offer you the position of Engineer.", received_at=T0)
    inferred = infer_from_email(recruiter)
    assert inferred is not None
    assert (inferred.system, inferred.company, inferred.stage) == ("inferred", "Hooli", Stage.OFFER)


def test_non_notification_gives_none() -> None:
    assert infer_from_email(EmailFacts(sender="no-reply@greenhouse.io", subject="Product update",
                                       body_text="New features this month.", received_at=T0)) is None


def item(stage: Stage, day: float, **kwargs) -> InferredAts:
    kwargs.setdefault("system", "greenhouse")
    kwargs.setdefault("company", "Acme")
    return InferredAts(stage=stage, occurred_at=at(day), **kwargs)


def test_fold_takes_latest_stage_reached_and_its_date() -> None:
    state = fold([item(Stage.ONSITE, 20), item(Stage.APPLIED, 0), item(Stage.PHONE_SCREEN, 7)])
    assert state is not None
    assert state.stage is Stage.ONSITE
    assert state.last_stage_change == at(20)
    assert state.last_contact == at(20)
    assert state.application_id == "inferred:acme"


def test_fold_ignores_a_later_reminder_of_an_earlier_stage() -> None:
    state = fold([item(Stage.APPLIED, 0), item(Stage.ONSITE, 10), item(Stage.APPLIED, 12)])
    assert state.stage is Stage.ONSITE
    assert state.last_stage_change == at(10)
    assert state.last_contact == at(12)


def test_fold_repeated_stage_keeps_first_change() -> None:
    state = fold([item(Stage.PHONE_SCREEN, 3), item(Stage.PHONE_SCREEN, 5)])
    assert state.last_stage_change == at(3)
    assert state.last_contact == at(5)


def test_fold_terminal_always_applies_and_reapplying_starts_over() -> None:
    assert fold([item(Stage.OFFER, 5), item(Stage.REJECTED, 9)]).stage is Stage.REJECTED
    again = fold([item(Stage.APPLIED, 0), item(Stage.REJECTED, 9), item(Stage.APPLIED, 40)])
    assert again.stage is Stage.APPLIED and again.last_stage_change == at(40)


def test_fold_empty_is_none() -> None:
    assert fold([]) is None


def test_fold_prefers_ats_system_name_over_inferred() -> None:
    state = fold([item(Stage.APPLIED, 0, system="inferred"), item(Stage.PHONE_SCREEN, 3, system="lever")])
    assert state.system == "lever"


def test_fold_by_application_groups_by_company() -> None:
    states = fold_by_application([
        item(Stage.APPLIED, 0, company="Acme", thread_id="a1"),
        item(Stage.ONSITE, 9, company="ACME Inc.", thread_id="a2"),
        item(Stage.APPLIED, 1, company="Globex", thread_id="g1"),
        item(Stage.REJECTED, 4, company="Globex", thread_id="g1"),
    ])
    assert set(states) == {"inferred:acme", "inferred:globex"}
    assert states["inferred:acme"].stage is Stage.ONSITE
    assert states["inferred:acme"].thread_ids == {"a1", "a2"}
    assert states["inferred:globex"].stage is Stage.REJECTED


def test_folded_state_gives_ats_fields_with_risk() -> None:
    stale = fold([item(Stage.APPLIED, 0)]).ats_fields(now=at(28))
    assert stale.stage == "Applied"
    assert stale.system == "greenhouse"
    assert stale.application_id == "inferred:acme"
    assert stale.ghosting_risk == pytest.approx(0.8155, abs=1e-3)
    rejected = fold([item(Stage.APPLIED, 0), item(Stage.REJECTED, 5)]).ats_fields(now=at(60))
    assert rejected.ghosting_risk == 0.0
    upcoming = fold([item(Stage.ONSITE, 0, interview_date=at(30))]).ats_fields(now=at(20))
    assert upcoming.ghosting_risk == 0.0
    assert upcoming.interview_date == at(30)
    overdue = fold([item(Stage.ONSITE, 0, interview_date=at(2))]).ats_fields(now=at(12))
    assert overdue.ghosting_risk > 0.8  # interview 10 days ago, no word since
