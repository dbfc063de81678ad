"""categorize(): whole-word rules; Gmail labels normalised and mapped."""

from __future__ import annotations

import pytest
from applylens_index.ingest import categorize, category_from_labels, normalise_labels
from applylens_index.ingest.categorize import category_scores


@pytest.mark.parametrize(
    ("subject", "body", "domain", "list_id", "expected"),
    [
        ("Your receipt for order #123", "Total: $12.00", "shop.com", None, "finance"),
        ("Invoice INV-42 is due", "Amount due: EUR 12.50", "acme.io", None, "finance"),
        ("Flash sale: 40% off everything", "Shop now", "shop.com", "deals.shop.com", "promo"),
        ("RSVP confirmed: PyData Berlin meetup", "", "meetup.com", None, "event"),
        ("Onsite interview invitation: Data Engineer at Acme", "", "acme.com", None, "recruiting"),
        ("Thank you for applying", "", "greenhouse-mail.io", None, "recruiting"),
        ("Hello", "", "hire.lever.co", None, "recruiting"),  # subdomain of an ATS domain
        ("Sam commented on your post", "", "linkedin.com", None, "social"),
        ("Postgres Weekly #212: query planners", "", "postgresweekly.com", "pw.postgresweekly.com", "updates"),
        ("Quarterly musings", "", "blog.example.org", "musings.example.org", "updates"),  # any list
        ("Dinner on Friday?", "ramen?", "gmail.com", None, "personal"),
        ("hey", "", None, None, "personal"),
    ],
)
def test_rules(subject, body, domain, list_id, expected):
    assert categorize(subject, body, sender_domain=domain, list_id=list_id) == expected


@pytest.mark.parametrize(
    ("subject", "not_category"),
    [
        ("Wholesale pricing for partners", "promo"),  # "sale" inside "wholesale"
        ("How to prevent outages", "event"),  # "event" inside "prevent"
        ("Reordering the backlog", "finance"),  # "order" inside "reordering"
        ("Jobsworth behaviour again", "recruiting"),  # "job" inside "jobsworth"
    ],
)
def test_words_match_whole_words_only(subject, not_category):
    assert category_scores(subject)[not_category] == 0
    assert categorize(subject) != not_category


def test_lookalike_ats_domain_is_not_recruiting():
    assert categorize("Hello", sender_domain="greenhouse.io.evil.com") == "personal"


def test_scores_count_subject_above_body():
    scores = category_scores("Your receipt", "big sale sale sale sale sale sale")
    assert scores["finance"] == 3
    assert scores["promo"] == 4  # body hits are capped


def test_normalise_labels_takeout_and_api_forms():
    assert normalise_labels(["Inbox", "Category Promotions", "CATEGORY_UPDATES", "Opened", "Inbox", " ", "Work"]) == [
        "INBOX",
        "CATEGORY_PROMOTIONS",
        "CATEGORY_UPDATES",
        "Opened",
        "Work",
    ]


def test_category_from_labels():
    assert category_from_labels(["INBOX", "IMPORTANT"]) is None
    assert category_from_labels(["CATEGORY_PROMOTIONS"]) == "promo"
    assert category_from_labels(["CATEGORY_UPDATES"]) == "updates"
    assert category_from_labels(["CATEGORY_SOCIAL"]) == "social"
    assert category_from_labels(["CATEGORY_FORUMS"]) == "forums"
    assert category_from_labels(["CATEGORY_PERSONAL"]) == "personal"
    assert category_from_labels(["CATEGORY_PURCHASES"]) == "finance"
    assert category_from_labels(["Receipts", "CATEGORY_UPDATES"]) == "finance"  # finance label wins
