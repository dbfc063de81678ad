from datetime import datetime, timezone

import pytest

from applylens_contracts.email import EmailDocument

from applylens_ats.domain.matching import MATCH_THRESHOLD, best_match, match_application
from applylens_ats.domain.model import Application, EmailFacts

ALICE = "alice@example.com"

ACME = Application(
    system="greenhouse",
    application_id="1000",
    company="Acme, Inc.",
    company_domain="acme.com",
    job_title="Backend Engineer",
    candidate_emails=frozenset({ALICE}),
    stage="Face to Face",
    last_stage_change=datetime(2026, 2, 1, tzinfo=timezone.utc),
)
GLOBEX = Application(
    system="lever",
    application_id="o-globex",
    company="Globex Corporation",
    company_domain="globex.com",
    job_title="Platform Engineer",
    candidate_emails=frozenset({ALICE}),
    thread_ids=frozenset({"thread-globex"}),
)
INITECH = Application(
    system="workday",
    application_id="WD-7",
    company="Initech",
    company_domain=None,
    job_title="Data Engineer",
    candidate_emails=frozenset({ALICE}),
)
APPS = [ACME, GLOBEX, INITECH]


def email(**kwargs) -> EmailFacts:
    kwargs.setdefault("to", (ALICE,))
    return EmailFacts(**kwargs)


def test_company_domain_matches() -> None:
    m = match_application(ACME, email(sender="Jane Doe <jane@careers.acme.com>", subject="Quick chat?"))
    assert m.confidence == pytest.approx(0.8)
    assert m.accepted
    assert "acme.com" in m.reason


def test_lookalike_domain_does_not_match() -> None:
    # Never by substring: acme.com.evil.io is evil.io, notacme.com is another company.
    for sender in ("hr@acme.com.evil.io", "hr@notacme.com"):
        m = match_application(ACME, email(sender=sender, subject="Hello"))
        assert m.confidence < MATCH_THRESHOLD, sender


def test_ats_sender_with_company_in_display_name() -> None:
    m = match_application(
        ACME,
        email(sender="Acme Recruiting <no-reply@us.greenhouse-mail.io>", subject="Thank you for applying"),
    )
    assert m.accepted
    assert m.confidence == pytest.approx(1 - 0.3 * 0.7)  # headline mention + same ATS
    assert "greenhouse" in m.reason


def test_ats_sender_company_in_subject_other_system() -> None:
    m = match_application(INITECH, email(sender="no-reply@myworkdayjobs.com",
                                         subject="Your application to Initech"))
    assert m.accepted
    other = match_application(INITECH, email(sender="no-reply@ashbyhq.com",
                                             subject="Your application to Initech"))
    assert other.accepted
    assert other.confidence < m.confidence  # not the application's own ATS


def test_ats_sender_without_the_company_does_not_match() -> None:
    m = match_application(ACME, email(sender="Globex Recruiting <no-reply@greenhouse.io>",
                                      subject="Thank you for applying to Globex"))
    assert m.confidence == 0.0


def test_ats_sender_company_only_in_body_needs_corroboration() -> None:
    body_only = email(sender="notifications@lever.co", subject="Application update",
                      body_text="Thanks for your interest in Globex.")
    assert match_application(GLOBEX, body_only).accepted  # body 0.55 + same ATS 0.3
    other_ats = email(sender="notifications@smartrecruiters.com", subject="Application update",
                      body_text="Thanks for your interest in Globex.")
    assert not match_application(GLOBEX, other_ats).accepted


def test_thread_matches() -> None:
    m = match_application(GLOBEX, email(sender="someone@gmail.com", subject="Re: catching up",
                                        thread_id="thread-globex"))
    assert m.confidence == pytest.approx(0.9)
    assert "thread" in m.reason


def test_job_title_alone_is_not_enough() -> None:
    m = match_application(ACME, email(sender="jobs@indeed.com", subject="New Backend Engineer jobs for you"))
    assert m.confidence == pytest.approx(0.35)
    assert not m.accepted


def test_company_mention_by_unrelated_sender_is_not_enough() -> None:
    m = match_application(ACME, email(sender="news@techcrunch.com", subject="Acme raises $50M",
                                      body_text="Acme Inc announced..."))
    assert not m.accepted
    # The company named in a free-mail recruiter's display name plus the title is enough.
    m = match_application(ACME, email(sender="Jane from Acme <jane.recruits@gmail.com>",
                                      subject="Backend Engineer role"))
    assert m.accepted
    assert m.confidence == pytest.approx(1 - 0.55 * 0.65)


def test_company_name_is_a_whole_word() -> None:
    m = match_application(ACME, email(sender="Acmeville Recruiting <no-reply@greenhouse.io>",
                                      subject="Thanks for applying to Acmeville"))
    assert m.confidence == 0.0


def test_users_own_address_never_matches() -> None:
    # The original matched by the user's address: every email got the same application.
    unrelated = [
        email(sender="Mom <mom@family.net>", subject="Dinner on Sunday?"),
        email(sender="deals@shop.example", subject="50% off", body_text=f"Sent to {ALICE}"),
        email(sender=ALICE, to=("bob@friend.org",), subject="Photos"),
        email(sender=f"Alice <{ALICE}>", to=(ALICE,), subject="note to self"),
    ]
    for message in unrelated:
        assert best_match(APPS, message) is None, message.subject
        for app in APPS:
            assert match_application(app, message).confidence < MATCH_THRESHOLD


def test_different_emails_get_different_applications() -> None:
    chosen = {
        best_match(APPS, email(sender="jane@acme.com", subject="Hi")).application.application_id,
        best_match(APPS, email(sender="Globex Hiring <no-reply@hire.lever.co>",
                               subject="Interview invitation")).application.application_id,
        best_match(APPS, email(sender="no-reply@myworkdayjobs.com",
                               subject="Initech: application received")).application.application_id,
    }
    assert chosen == {"1000", "o-globex", "WD-7"}


def test_candidates_sent_mail_matches_by_recipient_domain() -> None:
    m = match_application(ACME, email(sender=ALICE, to=("jane@acme.com",), subject="Following up"))
    assert m.accepted
    assert "sent to" in m.reason


def test_free_mail_company_domain_is_ignored() -> None:
    startup = Application(system="other", application_id="s1", company="Tiny Startup",
                          company_domain="gmail.com", candidate_emails=frozenset({ALICE}))
    assert not match_application(startup, email(sender="friend@gmail.com", subject="hey")).accepted


def test_best_match_prefers_title_among_same_company_roles() -> None:
    backend = ACME
    frontend = Application(system="greenhouse", application_id="1002", company="Acme",
                           company_domain="acme.com", job_title="Frontend Engineer",
                           candidate_emails=frozenset({ALICE}))
    m = best_match([frontend, backend], email(sender="jane@acme.com", subject="Your Backend Engineer interview"))
    assert m is not None and m.application.application_id == "1000"
    m = best_match([frontend, backend], email(sender="jane@acme.com", subject="Your Frontend Engineer interview"))
    assert m is not None and m.application.application_id == "1002"


def test_best_match_tie_goes_to_most_recent_then_smallest_id() -> None:
    old = Application(system="greenhouse", application_id="b", company="Acme", company_domain="acme.com",
                      last_stage_change=datetime(2026, 1, 1, tzinfo=timezone.utc))
    new = Application(system="greenhouse", application_id="c", company="Acme", company_domain="acme.com",
                      last_stage_change=datetime(2026, 2, 1, tzinfo=timezone.utc))
    message = email(sender="x@acme.com", subject="Hi")
    assert best_match([old, new], message).application.application_id == "c"
    undated = [Application(system="g", application_id=i, company="Acme", company_domain="acme.com")
               for i in ("z", "a", "m")]
    assert best_match(undated, message).application.application_id == "a"


def test_best_match_threshold_and_empty() -> None:
    assert best_match([], email(sender="jane@acme.com")) is None
    message = email(sender="jobs@indeed.com", subject="Backend Engineer at somewhere")
    assert best_match(APPS, message) is None
    assert best_match(APPS, message, threshold=0.3).application is ACME


def test_confidence_bounded() -> None:
    everything = email(sender="Acme <talent@acme.com>", subject="Acme Backend Engineer",
                       body_text="Acme Backend Engineer", thread_id="t")
    app = Application(system="greenhouse", application_id="1", company="Acme", company_domain="acme.com",
                      job_title="Backend Engineer", thread_ids=frozenset({"t"}))
    m = match_application(app, everything)
    assert 0.9 < m.confidence <= 1.0


def test_email_facts_from_document() -> None:
    doc = EmailDocument(
        id="m1", user_id=ALICE, thread_id="t1", **{"from": "Acme Recruiting <no-reply@greenhouse.io>"},
        to=[ALICE], subject="Thank you for applying to Acme", body_text="...",
        received_at=datetime(2026, 2, 1, tzinfo=timezone.utc),
    )
    facts = EmailFacts.from_document(doc)
    assert facts.display_name == "Acme Recruiting"
    assert facts.sender_domain == "greenhouse.io"
    assert facts.sender_address == "no-reply@greenhouse.io"
    assert best_match(APPS, facts).application is ACME
