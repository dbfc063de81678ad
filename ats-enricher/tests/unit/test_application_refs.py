"""Quoted application references: the strongest evidence, and a veto for every other application."""

from datetime import datetime, timezone

from applylens_ats.domain import Application, EmailFacts, best_match, infer_from_email, match_application
from applylens_ats.domain.matching import quoted_application_refs

WHEN = datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_references_are_read_case_insensitively() -> None:
    assert quoted_application_refs("Application ID: 652622216 (job 1234567)") == {"652622216"}
    assert quoted_application_refs("application number #acme-JA-123456") == {"acme-ja-123456"}
    assert quoted_application_refs("Thanks for your application") == frozenset()


def test_two_roles_at_one_company_are_told_apart_by_the_quoted_id() -> None:
    first = Application(system="greenhouse", application_id="111111", company="Acme", company_domain="acme.com",
                        job_title="Data Engineer")
    second = Application(system="greenhouse", application_id="222222", company="Acme", company_domain="acme.com",
                         job_title="Data Engineer")
    email = EmailFacts(subject="Thank you for applying to Acme", body_text="Application ID: 222222",
                       sender="Acme Recruiting <no-reply@greenhouse.io>")
    assert match_application(first, email).confidence == 0.0
    assert best_match([first, second], email).application is second


def test_a_recruiter_writing_about_an_unknown_application_matches_nothing() -> None:
    known = Application(system="workday", application_id="acme-JA-1", company="Acme", company_domain="acme.com")
    email = EmailFacts(subject="Acme: next steps", body_text="Application ID: direct-9f", sender="Jo <jo@acme.com>")
    assert best_match([known], email) is None


def test_inferred_applications_keep_their_quoted_reference() -> None:
    email = EmailFacts(subject="Thank you for applying to Acme", body_text="Application ID: A-1234",
                       sender="Acme Recruiting <no-reply@greenhouse.io>", received_at=WHEN)
    assert infer_from_email(email).application_id == "inferred:acme:a-1234"
