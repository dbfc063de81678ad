"""The demo mailbox: deterministic, exactly sized, and its ground truth agrees with the parsed mail."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest
from applylens_contracts.domains import registrable_domain
from applylens_index.ingest import iter_parsed, parse_message
from applylens_index.ingest.demo import (
    DEFAULT_NOW,
    MBOX_NAME,
    format_amount,
    generate_demo,
    load_truth,
    write_demo,
)

USERS = ("alice@example.com", "bob@example.com")


@pytest.fixture(scope="module")
def box():
    return generate_demo(seed=11, users=USERS, messages_per_user=400)


@pytest.fixture(scope="module")
def parsed(box):
    return {m.email_id: parse_message(m.raw, m.user_id) for m in box.messages}


def test_deterministic_for_a_seed(box):
    again = generate_demo(seed=11, users=USERS, messages_per_user=400)
    assert [m.raw for m in again.messages] == [m.raw for m in box.messages]
    assert again.truth.to_json() == box.truth.to_json()
    other = generate_demo(seed=12, users=USERS, messages_per_user=400)
    assert [m.raw for m in other.messages] != [m.raw for m in box.messages]


def test_exact_size_per_user_even_when_tiny():
    for n in (0, 1, 5, 23):
        small = generate_demo(seed=1, users=USERS, messages_per_user=n)
        assert Counter(m.user_id for m in small.messages) == ({u: n for u in USERS} if n else Counter())
        assert len(small.truth.emails) == 2 * n


def test_dates_are_relative_to_now(box):
    later = generate_demo(seed=11, users=USERS, messages_per_user=400, now=DEFAULT_NOW + timedelta(days=10))
    for a, b in zip(box.messages, later.messages, strict=True):
        assert b.received_at - a.received_at == timedelta(days=10)
    assert all(m.received_at <= DEFAULT_NOW for m in box.messages)
    assert all(m.received_at >= DEFAULT_NOW - timedelta(days=181) for m in box.messages)


def test_every_message_parses_and_matches_the_truth(box, parsed):
    assert len(parsed) == len(box.messages) == len(box.truth.emails)
    for email_id, doc in parsed.items():
        truth = box.truth.emails[email_id]
        assert doc.id == email_id
        assert doc.user_id == truth["user_id"]
        assert doc.category == truth["category"], (truth["kind"], doc.subject)
        assert doc.thread_id == truth["thread_id"]
        assert doc.subject == truth["subject"]
        assert doc.sender_domain == truth["sender_domain"]
        assert doc.labels == truth["gmail_labels"]
        assert doc.received_at.isoformat().replace("+00:00", "Z") == truth["received_at"]
        assert doc.body_text


def test_all_categories_and_both_label_modes_present(box):
    categories = Counter(e["category"] for e in box.truth.emails.values())
    assert set(categories) == {"recruiting", "finance", "event", "updates", "promo", "social", "personal", "forums"}
    labelled = [e for e in box.truth.emails.values() if e["gmail_labels"]]
    assert 0 < len(labelled) < len(box.truth.emails)
    # rules, not labels, decide for a good share of every rule category
    for category in ("recruiting", "finance", "event", "updates", "promo", "social", "personal"):
        assert any(e["category"] == category and not e["gmail_labels"] for e in box.truth.emails.values())


def test_newsletters_carry_list_ids(box, parsed):
    newsletters = [i for i, e in box.truth.emails.items() if e["kind"] == "newsletter"]
    assert newsletters and all(parsed[i].list_id for i in newsletters)


def test_receipts_amounts_formats_and_json_ld(box, parsed):
    receipts = box.truth.receipts
    styles = {r["amount_text"].lstrip("-")[:3] for r in receipts}
    texts = [r["amount_text"] for r in receipts]
    assert any(t.startswith("$") and "," in t for t in texts)  # $1,234.56
    assert any(t.startswith("USD ") for t in texts)
    assert any(t.endswith(" €") and "." in t and "," in t for t in texts)  # 1.234,56 €
    assert any(t.startswith("£") for t in texts)
    assert any(t.startswith("EUR ") for t in texts)
    assert any(t.startswith("CA$") for t in texts)
    assert len(styles) >= 6
    assert {r["currency"] for r in receipts} == {"USD", "EUR", "GBP", "CAD"}
    for r in receipts:
        doc = parsed[r["email_id"]]
        assert doc.category == "finance"
        assert registrable_domain(doc.sender_domain) == r["merchant"]
        assert r["order_id"] in doc.body_text
        label = "Refund total: " if r["kind"] == "refund" else "Total: "
        assert f"{label}{r['amount_text']}" in doc.body_text
        if r["json_ld"]:
            ld = json.loads(doc.body_html.split('type="application/ld+json">')[1].split("</script>")[0])
            assert ld["@type"] == "Order" and ld["orderNumber"] == r["order_id"]
            assert Decimal(ld["price"]) == Decimal(r["amount"]) and ld["priceCurrency"] == r["currency"]
    refunds = [r for r in receipts if r["kind"] == "refund"]
    assert refunds and all(Decimal(r["amount"]) < 0 for r in refunds)


def test_format_amount_styles():
    assert format_amount(Decimal("1234.56"), "usd_symbol") == "$1,234.56"
    assert format_amount(Decimal("12"), "usd_code") == "USD 12.00"
    assert format_amount(Decimal("1234.56"), "eur_suffix") == "1.234,56 €"
    assert format_amount(Decimal("12"), "gbp_symbol") == "£12"
    assert format_amount(Decimal("12.5"), "eur_code") == "EUR 12.50"
    assert format_amount(Decimal("45"), "cad_symbol") == "CA$45.00"


def test_duplicates_and_resent_receipts_are_what_the_truth_says(box):
    by_id = {r["email_id"]: r for r in box.truth.receipts}
    assert box.truth.duplicate_charges and box.truth.resent_receipts
    for dup in box.truth.duplicate_charges:
        a, b = by_id[dup["earlier"]], by_id[dup["later"]]
        assert a["merchant"] == b["merchant"] == dup["merchant"]
        assert a["amount"] == b["amount"] == dup["amount"]
        assert a["order_id"] != b["order_id"]
        gap = datetime.fromisoformat(b["date"]) - datetime.fromisoformat(a["date"])
        assert timedelta(0) < gap <= timedelta(days=7) and gap.days == dup["days_apart"]
    for resent in box.truth.resent_receipts:
        a, b = by_id[resent["original"]], by_id[resent["resent"]]
        assert a["order_id"] == b["order_id"] == resent["order_id"] and a["amount"] == b["amount"]
        assert a["email_id"] != b["email_id"] and b["resent"]
    # No charge pair within 7 days is an accidental duplicate: the truth lists them all.
    declared = {frozenset((d["earlier"], d["later"])) for d in box.truth.duplicate_charges}
    charges = [r for r in box.truth.receipts if r["kind"] == "charge" and not r["resent"]]
    for a, b in combinations(charges, 2):
        if a["user_id"] == b["user_id"] and a["merchant"] == b["merchant"] and a["amount"] == b["amount"]:
            gap = abs(datetime.fromisoformat(a["date"]) - datetime.fromisoformat(b["date"]))
            if gap <= timedelta(days=7):
                assert frozenset((a["email_id"], b["email_id"])) in declared


def test_applications_cover_every_stage_and_system(box, parsed):
    apps = box.truth.applications
    assert {a["system"] for a in apps} == {"greenhouse", "lever", "workday", "direct"}
    stages = {h["stage"] for a in apps for h in a["stage_history"]}
    assert stages == {"Applied", "Recruiter Screen", "Phone Screen", "Onsite", "Offer", "Rejected"}
    assert {a["status"] for a in apps} == {"offer", "rejected", "active", "stale"}
    now = box.truth.now
    ats_domains = {
        "greenhouse": {"greenhouse.io", "greenhouse-mail.io"},
        "lever": {"lever.co"},
        "workday": {"myworkday.com"},
    }
    for app in apps:
        times = [datetime.fromisoformat(h["at"]) for h in app["stage_history"]]
        assert times == sorted(times) and times[-1] <= now
        assert app["stage_history"][0]["stage"] == "Applied"
        assert app["current_stage"] == app["stage_history"][-1]["stage"]
        assert app["email_ids"] == [h["email_id"] for h in app["stage_history"]]
        if app["status"] == "stale":
            assert now - times[-1] >= timedelta(days=21)
        assert {i["stage"] for i in app["interviews"]} <= {"Recruiter Screen", "Phone Screen", "Onsite"}
        for interview in app["interviews"]:
            assert datetime.fromisoformat(interview["scheduled_at"]) > datetime.fromisoformat(
                next(h["at"] for h in app["stage_history"] if h["email_id"] == interview["email_id"])
            )
        docs = [parsed[i] for i in app["email_ids"]]
        assert all(d.category == "recruiting" and d.user_id == app["user_id"] for d in docs)
        assert all(app["company"] in d.subject or app["company"] in d.body_text for d in docs)
        applied = docs[0]
        if app["system"] == "direct":
            assert applied.sender_domain == app["company_domain"]
        else:
            assert applied.sender_domain in ats_domains[app["system"]]
            assert app["application_id"] in applied.body_text


def test_write_demo_mbox_and_eml_round_trip(tmp_path: Path):
    files = write_demo(tmp_path, fmt="both", seed=3, users=USERS, messages_per_user=150)
    truth = load_truth(files.truth_path)
    assert files.count == 300 and truth["messages_per_user"] == 150 and truth["users"] == list(USERS)
    for user in USERS:
        assert files.mboxes[user].name == MBOX_NAME
        from_mbox = [r for r in iter_parsed(files.mboxes[user], user)]
        from_eml = [r for r in iter_parsed(files.eml_dirs[user], user)]
        assert all(r.ok for r in from_mbox + from_eml)
        mbox_docs = {r.doc.id: r.doc for r in from_mbox}
        assert (
            set(mbox_docs)
            == {r.doc.id for r in from_eml}
            == {i for i, e in truth["emails"].items() if e["user_id"] == user}
        )
        for r in from_eml:
            assert r.doc == mbox_docs[r.doc.id]  # same document whichever way it was imported
            assert r.doc.category == truth["emails"][r.doc.id]["category"]
    again = write_demo(tmp_path / "again", fmt="mbox", seed=3, users=USERS, messages_per_user=150)
    assert again.mboxes[USERS[0]].read_bytes() == files.mboxes[USERS[0]].read_bytes()
    assert again.truth_path.read_text() == files.truth_path.read_text()


def test_rejects_naive_now_and_bad_format(tmp_path: Path):
    with pytest.raises(ValueError, match="timezone"):
        generate_demo(now=datetime(2026, 3, 1))
    with pytest.raises(ValueError, match="fmt"):
        write_demo(tmp_path, fmt="zip")
    assert DEFAULT_NOW.tzinfo is timezone.utc
