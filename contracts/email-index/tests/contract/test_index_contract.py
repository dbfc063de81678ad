"""One contract, every engine: the same documents and queries must give the same answers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from applylens_contracts.email import EmailDocument
from applylens_index import (
    AnyOf,
    Boost,
    EmailQuery,
    Exists,
    Not,
    Range,
    Sort,
    TextAny,
    at_least,
    categories,
    received_between,
    sender_domains,
    terms,
)
from applylens_index.contract import EmailIndex

UTC = timezone.utc


def at(day: int, month: int = 2, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def corpus(user: str) -> list[EmailDocument]:
    """r1 and r2 are equally relevant to "onsite interview"; only ats tells them apart."""
    raw = [
        dict(id="r1", subject="Onsite interview at Acme", body_text="Your onsite interview is scheduled.",
             from_="Acme Recruiting <jobs@greenhouse.io>", sender_domain="greenhouse.io", category="recruiting",
             labels=["Inbox", "Important"], received_at=at(1),
             ats={"system": "greenhouse", "stage": "Onsite", "ghosting_risk": 0.7, "company": "Acme"}),
        dict(id="r2", subject="Onsite interview at Globex", body_text="Your onsite interview is scheduled.",
             from_="Globex Recruiting <jobs@greenhouse.io>", sender_domain="greenhouse.io", category="recruiting",
             labels=["Inbox"], received_at=at(2), ats={"system": "greenhouse", "stage": "Applied", "ghosting_risk": 0.2}),
        dict(id="m1", subject="Your receipt from Shop", body_text="Total $12.50 paid by card.",
             from_="Shop <orders@shop.com>", sender_domain="shop.com", category="finance", received_at=at(15, 1),
             money={"is_receipt": True, "amount": "12.50", "currency": "USD", "merchant": "shop.com"}),
        dict(id="m2", subject="Invoice 123", body_text="Amount due EUR 99.00 by Friday.", from_="billing@acme.de",
             sender_domain="acme.de", category="finance", received_at=at(20, 1),
             money={"is_receipt": True, "amount": "99.00", "currency": "EUR", "merchant": "acme.de"}),
        dict(id="e1", subject="Python meetup next week", body_text="Join our community conference and meetup.",
             from_="PyData <hello@meetup.com>", sender_domain="meetup.com", list_id="pydata.meetup.com",
             category="event", received_at=at(10, 1)),
        dict(id="p1", subject="50% off everything", body_text="Big sale this weekend only.",
             from_="Deals <deals@groupon.com>", sender_domain="groupon.com", category="promo",
             labels=["CATEGORY_PROMOTIONS"], received_at=at(1, 12, 2025)),
    ]
    return [EmailDocument(user_id=user, **fields) for fields in raw]


def ids(result) -> list[str]:
    return [hit.doc.id for hit in result.hits]


@pytest.fixture
async def loaded(index: EmailIndex, user: str) -> str:
    result = await index.upsert(corpus(user))
    assert result.new == 6
    return user


async def test_ensure_is_idempotent(index: EmailIndex, loaded: str) -> None:
    await index.ensure()
    await index.ensure()
    assert (await index.search(EmailQuery(user_id=loaded, size=100))).total == 6


async def test_upsert_is_idempotent_and_reports_new(index: EmailIndex, user: str) -> None:
    docs = corpus(user)
    first = await index.upsert(docs)
    assert (first.new, first.updated, first.unchanged) == (6, 0, 0)
    assert first.new_ids == ("r1", "r2", "m1", "m2", "e1", "p1")
    again = await index.upsert(docs + docs[:1])  # a repeated id inside one call is fine
    assert (again.new, again.updated, again.unchanged) == (0, 0, 7)
    changed = docs[0].model_copy(update={"subject": "Onsite interview moved"})
    third = await index.upsert([changed])
    assert (third.new, third.updated, third.unchanged) == (0, 1, 0)
    assert (await index.get(user, ["r1"]))[0].subject == "Onsite interview moved"
    assert (await index.search(EmailQuery(user_id=user, size=100))).total == 6


async def test_reimport_keeps_enrichment(index: EmailIndex, loaded: str) -> None:
    await index.update_partial(loaded, [("e1", {"ats": {"stage": "Offer"}})])
    plain = next(d for d in corpus(loaded) if d.id == "e1")
    assert (await index.upsert([plain])).unchanged == 1
    assert (await index.get(loaded, ["e1"]))[0].ats.stage == "Offer"


async def test_text_search_finds_and_counts(index: EmailIndex, loaded: str) -> None:
    result = await index.search(EmailQuery(user_id=loaded, text="onsite interview"))
    assert sorted(ids(result)) == ["r1", "r2"] and result.total == 2
    assert ids(await index.search(EmailQuery(user_id=loaded, text="receipt"))) == ["m1"]
    assert (await index.search(EmailQuery(user_id=loaded, text="interview -acme"))).total == 1
    assert (await index.search(EmailQuery(user_id=loaded, text="nothingmatcheshere"))).total == 0


async def test_subject_outweighs_body(index: EmailIndex, loaded: str) -> None:
    # "meetup" in e1's subject and body; "conference" only in its body; "invoice" only in m2's subject
    await index.upsert([EmailDocument(id="x1", user_id=loaded, subject="Notes", body_text="invoice attached",
                                      received_at=at(3))])
    assert ids(await index.search(EmailQuery(user_id=loaded, text="invoice"))) == ["m2", "x1"]


async def test_boost_lifts_an_equally_relevant_document(index: EmailIndex, loaded: str) -> None:
    plain = await index.search(EmailQuery(user_id=loaded, text="onsite interview"))
    s1, s2 = (next(h.score for h in plain.hits if h.doc.id == i) for i in ("r1", "r2"))
    assert s1 == pytest.approx(s2, rel=1e-6)

    for stage, first in (("Onsite", "r1"), ("Applied", "r2")):
        boosted = await index.search(EmailQuery(
            user_id=loaded, text="onsite interview",
            boosts=[Boost(when=terms("ats.stage", stage), value=1.0)],
        ))
        assert ids(boosted)[0] == first
        top, other = boosted.hits
        assert top.score == pytest.approx(2.0 * other.score, rel=1e-4)  # score × (1 + 1.0)


async def test_boost_factor_is_one_plus_sum_without_text(index: EmailIndex, loaded: str) -> None:
    result = await index.search(EmailQuery(
        user_id=loaded,
        filters=[categories("recruiting")],
        boosts=[Boost(when=at_least("ats.ghosting_risk", 0.6), value=0.5, name="urgent"),
                Boost(when=terms("ats.stage", "onsite", "offer", case_insensitive=True), value=2.0)],
        explain=True,
    ))
    assert [(h.doc.id, round(h.score, 4), h.matched) for h in result.hits] == [
        ("r1", 3.5, ("urgent", "ats.stage in [onsite, offer] (any case)")),
        ("r2", 1.0, ()),
    ]


async def test_boosts_never_filter(index: EmailIndex, loaded: str) -> None:
    result = await index.search(EmailQuery(
        user_id=loaded, size=100, boosts=[Boost(when=TextAny(words=("meetup", "conference")), value=3.0)],
    ))
    assert result.total == 6
    assert ids(result)[0] == "e1"
    assert all(h.matched == () for h in result.hits)  # explain was not asked for


FILTER_CASES = {
    "category": ([categories("finance")], {"m1", "m2"}),
    "categories": ([categories("finance", "event")], {"m1", "m2", "e1"}),
    "date range": ([received_between(at(1, 1), at(2))], {"m1", "m2", "e1", "r1"}),
    "date gt/lte": ([Range(field="received_at", gt=at(1), lte=at(2))], {"r2"}),
    "sender domain": ([sender_domains("greenhouse.io", "acme.de")], {"r1", "r2", "m2"}),
    "list id": ([terms("list_id", "pydata.meetup.com")], {"e1"}),
    "exists ats": ([Exists(field="ats")], {"r1", "r2"}),
    "exists nested": ([Exists(field="ats.company")], {"r1"}),
    "exists list": ([Exists(field="labels")], {"r1", "r2", "p1"}),
    "exists list_id": ([Exists(field="list_id")], {"e1"}),
    "ghosting risk": ([at_least("ats.ghosting_risk", 0.6)], {"r1"}),
    "amount range": ([Range(field="money.amount", gte=Decimal("12.50"), lt=50)], {"m1"}),
    "amount exact bound": ([Range(field="money.amount", gt=Decimal("12.50"))], {"m2"}),
    "currency": ([terms("money.currency", "EUR")], {"m2"}),
    "merchant": ([terms("money.merchant", "shop.com")], {"m1"}),
    "is receipt": ([terms("money.is_receipt", True)], {"m1", "m2"}),
    "stage exact case": ([terms("ats.stage", "onsite")], set()),
    "stage any case": ([terms("ats.stage", "onsite", case_insensitive=True)], {"r1"}),
    "label": ([terms("labels", "Important")], {"r1"}),
    "label any case": ([terms("labels", "category_promotions", case_insensitive=True)], {"p1"}),
    "not": ([Not(clause=categories("finance", "recruiting"))], {"e1", "p1"}),
    "not missing field": ([Not(clause=terms("ats.stage", "Onsite"))], {"r2", "m1", "m2", "e1", "p1"}),
    "any of": ([AnyOf(clauses=(terms("money.currency", "USD"), at_least("ats.ghosting_risk", 0.5)))], {"m1", "r1"}),
    "text any": ([TextAny(words=("meetup", "invoice"))], {"e1", "m2"}),
    "several": ([categories("recruiting"), Exists(field="ats"), at_least("ats.ghosting_risk", 0.1)], {"r1", "r2"}),
}


@pytest.mark.parametrize("case", list(FILTER_CASES))
async def test_every_filter(index: EmailIndex, loaded: str, case: str) -> None:
    filters, expected = FILTER_CASES[case]
    result = await index.search(EmailQuery(user_id=loaded, filters=filters, size=100))
    assert set(ids(result)) == expected
    assert result.total == len(expected)


async def test_stream_applies_the_same_filters(index: EmailIndex, loaded: str) -> None:
    for case, (filters, expected) in FILTER_CASES.items():
        streamed = {d.id async for d in index.stream(EmailQuery(user_id=loaded, filters=filters), batch_size=2)}
        assert streamed == expected, case


async def test_text_boosts_and_text_filters_together(index: EmailIndex, loaded: str) -> None:
    """Several text clauses in one query (the text, a text filter, a text boost), with and without explain."""
    query = EmailQuery(
        user_id=loaded, text="interview or meetup or invoice", size=100,
        filters=[AnyOf(clauses=(TextAny(words=("onsite", "community")), categories("finance")))],
        boosts=[Boost(when=TextAny(words=("conference",)), value=5.0, name="talks"),
                Boost(when=Not(clause=TextAny(words=("globex",))), value=1.0, name="not globex")],
        explain=True,
    )
    result = await index.search(query)
    assert ids(result)[0] == "e1" and set(ids(result)) == {"e1", "r1", "r2", "m2"} and result.total == 4
    assert {h.doc.id: h.matched for h in result.hits} == {
        "e1": ("talks", "not globex"), "r1": ("not globex",), "r2": (), "m2": ("not globex",)}
    quiet = await index.search(query.model_copy(update={"explain": False}))
    assert [(h.doc.id, h.score) for h in quiet.hits] == [(h.doc.id, h.score) for h in result.hits]
    assert quiet.total == 4 and all(h.matched == () for h in quiet.hits)
    page = await index.search(query.model_copy(update={"size": 1}))
    assert ids(page) == ["e1"] and page.total == 4


async def test_users_never_see_each_other(index: EmailIndex, loaded: str) -> None:
    other = f"v{uuid.uuid4().hex[:10]}@example.com"
    await index.upsert([EmailDocument(id="r1", user_id=other, subject="Onsite interview at Acme",
                                      body_text="secret", received_at=at(5))])
    mine = await index.search(EmailQuery(user_id=loaded, text="secret"))
    assert mine.total == 0
    theirs = await index.search(EmailQuery(user_id=other, text="onsite interview", size=100))
    assert [(h.doc.user_id, h.doc.id) for h in theirs.hits] == [(other, "r1")]
    streamed = [d.user_id async for d in index.stream(EmailQuery(user_id=other))]
    assert streamed == [other]
    assert await index.update_partial(other, [("r1", {"ats": {"stage": "Offer"}})]) == 1
    assert (await index.get(loaded, ["r1"]))[0].ats.stage == "Onsite"
    assert await index.get(other, ["m1"]) == []


async def test_partial_updates_merge_nested_objects(index: EmailIndex, loaded: str) -> None:
    assert await index.update_partial(loaded, [("e1", {"ats": {"stage": "Onsite", "company": "PyData"}})]) == 1
    assert await index.update_partial(loaded, [("e1", {"money": {"is_receipt": False, "currency": "GBP"}}),
                                               ("e1", {"ats": {"ghosting_risk": 0.9}})]) == 1
    doc = (await index.get(loaded, ["e1"]))[0]
    assert (doc.ats.stage, doc.ats.company, doc.ats.ghosting_risk) == ("Onsite", "PyData", 0.9)
    assert (doc.money.is_receipt, doc.money.currency) == (False, "GBP")
    assert doc.subject == "Python meetup next week"
    found = await index.search(EmailQuery(user_id=loaded, filters=[at_least("ats.ghosting_risk", 0.8)]))
    assert ids(found) == ["e1"]

    await index.update_partial(loaded, [("e1", {"ats": {"company": None}})])  # None removes the field
    doc = (await index.get(loaded, ["e1"]))[0]
    assert (doc.ats.company, doc.ats.stage) == (None, "Onsite")
    assert set(ids(await index.search(EmailQuery(user_id=loaded, filters=[Exists(field="ats.company")])))) == {"r1"}


async def test_partial_update_of_missing_ids_and_bad_input(index: EmailIndex, loaded: str) -> None:
    assert await index.update_partial(loaded, [("nope", {"ats": {"stage": "Offer"}})]) == 0
    assert await index.update_partial(loaded, []) == 0
    with pytest.raises(ValueError, match="subject"):
        await index.update_partial(loaded, [("r1", {"subject": {"x": 1}})])
    with pytest.raises(ValueError, match="stagee"):
        await index.update_partial(loaded, [("r1", {"ats": {"stagee": "Offer"}})])
    with pytest.raises(ValueError, match="ghosting_risk"):
        await index.update_partial(loaded, [("r1", {"ats": {"ghosting_risk": 3}})])
    assert (await index.get(loaded, ["r1"]))[0].ats.ghosting_risk == 0.7


async def test_get_keeps_the_order_asked(index: EmailIndex, loaded: str) -> None:
    assert [d.id for d in await index.get(loaded, ["p1", "zz", "r1", "p1"])] == ["p1", "r1"]
    assert await index.get(loaded, []) == []


async def test_sorts_size_and_total(index: EmailIndex, loaded: str) -> None:
    newest = await index.search(EmailQuery(user_id=loaded, sort=Sort.NEWEST, size=3))
    assert ids(newest) == ["r2", "r1", "m2"] and newest.total == 6
    oldest = await index.search(EmailQuery(user_id=loaded, sort=Sort.OLDEST, size=2))
    assert ids(oldest) == ["p1", "e1"]


async def test_stream_returns_every_match_in_order_across_batches(index: EmailIndex, user: str) -> None:
    base = at(1, 3)
    docs = [
        EmailDocument(id=f"s{i:02d}", user_id=user, subject=f"weekly digest {i}", category="updates",
                      received_at=base - timedelta(days=i // 3))  # three share each timestamp: ties break by id
        for i in range(25)
    ] + [EmailDocument(id="other", user_id=user, subject="unrelated", category="promo", received_at=base)]
    await index.upsert(docs)
    want = sorted(docs[:25], key=lambda d: (-d.received_at.timestamp(), d.id))
    query = EmailQuery(user_id=user, text="digest", filters=[categories("updates")])
    got = [d.id async for d in index.stream(query, batch_size=7)]
    assert got == [d.id for d in want]
    oldest = [d.id async for d in index.stream(query.model_copy(update={"sort": Sort.OLDEST}), batch_size=5)]
    assert oldest == [d.id for d in sorted(docs[:25], key=lambda d: (d.received_at.timestamp(), d.id))]
    assert len([d async for d in index.stream(EmailQuery(user_id=user), batch_size=26)]) == 26
    with pytest.raises(ValueError, match="batch_size"):
        [d async for d in index.stream(query, batch_size=0)]
