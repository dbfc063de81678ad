"""Retrieval against the real PostgreSQL index: the boosts decide between equally relevant emails."""

from __future__ import annotations

import pytest

from applylens_rag.domain import DEFAULT_BOOSTS, Mode
from applylens_rag.service_layer import AskQuestion, retrieve

pytestmark = pytest.mark.integration


def _provider(index):
    async def provide():
        return index

    return provide


async def _ids(index, user, q, mode=Mode.NONE, k=10):
    retrieval = await retrieve(_provider(index), AskQuestion(user, q, mode, k), DEFAULT_BOOSTS)
    return [s.id for s in retrieval.sources], retrieval


async def test_urgent_recruiter_email_outranks_an_equally_relevant_ordinary_one(email_index, make_mail, user):
    text = ("Following up on your Data Engineer application", "Thanks for your interest in the Data Engineer role.")
    await email_index.upsert([
        # the ordinary one is newer, so without the boost it would win the tie
        make_mail(user, "ordinary", *text, sender="jobs@initech.com", category="recruiting", days_ago=1),
        make_mail(user, "urgent", *text, sender="jobs@globex.com", category="recruiting", days_ago=20,
                  stage="Phone Screen", risk=0.72, company="Globex"),
    ])
    ids, retrieval = await _ids(email_index, user, "data engineer application")
    assert ids == ["urgent", "ordinary"]
    urgent, ordinary = retrieval.sources
    assert urgent.score == pytest.approx(ordinary.score * (1 + DEFAULT_BOOSTS.ghosting_risk_value))
    assert urgent.boosts == ("ghosting_risk",) and urgent.why == ("ghosting risk 0.72 ≥ 0.6 (+3)",)
    assert ordinary.why == ()


@pytest.mark.parametrize("stage", ["Onsite", "onsite", "FINAL ROUND", "Offer", "negotiation"])
async def test_late_stages_outrank_in_any_case(email_index, make_mail, user, stage):
    text = ("Next steps for the Backend role", "Here are the next steps for the Backend role.")
    await email_index.upsert([
        make_mail(user, "early", *text, days_ago=1, stage="Applied", risk=0.1),
        make_mail(user, "late", *text, days_ago=9, stage=stage, risk=0.1),
    ])
    ids, retrieval = await _ids(email_index, user, "backend role next steps")
    assert ids == ["late", "early"]
    assert retrieval.sources[0].why == (f"late ATS stage {stage} (+2)",)


async def test_below_threshold_risk_is_not_boosted(email_index, make_mail, user):
    text = ("Status of your Platform application", "Your Platform application is under review.")
    await email_index.upsert([
        make_mail(user, "newer", *text, days_ago=1),
        make_mail(user, "risk-059", *text, days_ago=5, stage="Applied", risk=0.59),
    ])
    ids, _ = await _ids(email_index, user, "platform application")
    assert ids == ["newer", "risk-059"]


async def test_modes_move_their_mail_up(email_index, make_mail, user):
    await email_index.upsert([
        make_mail(user, "newsletter", "Acme March roundup", "What happened at Acme in March.", category="updates",
                  sender="news@acme.com", days_ago=1),
        make_mail(user, "receipt", "Acme March receipt", "Your payment to Acme in March: $12.00.", category="finance",
                  sender="billing@acme.com", days_ago=3),
        make_mail(user, "meetup", "Acme March meetup", "Join the Acme community meetup in March.", category="event",
                  sender="events@acme.com", days_ago=5),
    ])
    none, _ = await _ids(email_index, user, "acme march")
    money, money_retrieval = await _ids(email_index, user, "acme march", Mode.MONEY)
    networking, _ = await _ids(email_index, user, "acme march", Mode.NETWORKING)
    assert none[0] == "newsletter"  # equally relevant: newest first
    assert money[0] == "receipt" and money.index("receipt") < none.index("receipt")
    assert networking[0] == "meetup"
    assert set(money_retrieval.sources[0].boosts) == {"mode_category", "mode_words"}
    assert money_retrieval.sources[0].why[0] == "money mode: category finance (+3)"


async def test_money_mode_lifts_receipts_over_stronger_text_matches(email_index, make_mail, user):
    await email_index.upsert([
        make_mail(user, "blog", "Cloud hosting costs explained", "Cloud hosting costs, cloud hosting tips.",
                  category="updates", days_ago=1),
        make_mail(user, "invoice", "Your invoice from Hostly", "Cloud hosting, March. Total $20.",
                  category="finance", days_ago=2),
    ])
    none, _ = await _ids(email_index, user, "cloud hosting costs")
    money, _ = await _ids(email_index, user, "cloud hosting costs", Mode.MONEY)
    assert none == ["blog", "invoice"]
    assert money == ["invoice", "blog"]


async def test_subject_outweighs_body_outweighs_sender(email_index, make_mail, user):
    await email_index.upsert([
        make_mail(user, "in-sender", "Hello", "Nothing here.", sender="Zeppelin Fleet <ops@fleet.example>", days_ago=1),
        make_mail(user, "in-body", "Hello", "A zeppelin flew by.", days_ago=2),
        make_mail(user, "in-subject", "Zeppelin", "Nothing here.", days_ago=3),
    ])
    ids, _ = await _ids(email_index, user, "zeppelin")
    assert ids == ["in-subject", "in-body", "in-sender"]


async def test_no_text_match_falls_back_to_boosts_alone(email_index, make_mail, user):
    await email_index.upsert([
        make_mail(user, "plain", "Lunch", "Sandwiches.", days_ago=1),
        make_mail(user, "urgent", "Checking in", "Any news?", days_ago=40, stage="Applied", risk=0.9),
    ])
    ids, retrieval = await _ids(email_index, user, "what about quarterly zeppelins?")
    assert retrieval.fallback and ids == ["urgent", "plain"]
