from __future__ import annotations

import pytest
from applylens_contracts.events import EmailSnapshot
from applylens_learner.domain import STOP_WORDS, features, normalise_list_id, normalise_sender_domain, subject_tokens
from applylens_learner.domain.features import MAX_TOKENS


def snapshot(**kw) -> EmailSnapshot:
    return EmailSnapshot(id="m1", **kw)


def test_every_feature_kind_is_produced_sorted_and_unique():
    email = snapshot(
        category="Promo",
        sender_domain="Email.Groupon.com",
        list_id="Deals <Deals.Groupon.com>",
        subject="50% off SPA days: spa deals this week",
    )
    assert features(email) == [
        "category:promo",
        "contains:days",
        "contains:deals",
        "contains:spa",
        "contains:week",
        "listid:deals.groupon.com",
        "sender_domain:groupon.com",
    ]


@pytest.mark.parametrize(
    ("subject", "absent", "present"),
    [
        ("Wholesale prices for retailers", "sale", "wholesale"),
        ("How to prevent burnout", "event", "prevent"),
        ("Eventually, a reply", "event", "eventually"),
        ("Salesforce weekly", "sale", "salesforce"),
    ],
)
def test_substring_traps_of_the_original(subject, absent, present):
    tokens = subject_tokens(subject)
    assert absent not in tokens
    assert present in tokens
    assert f"contains:{absent}" not in features(snapshot(subject=subject))


@pytest.mark.parametrize("subject", ["SALE!", "Big sale today", "sale-ending soon", "(sale)", "Sale: 20% off"])
def test_whole_word_is_found_whatever_the_punctuation_and_case(subject):
    assert "sale" in subject_tokens(subject)


def test_stop_words_numbers_and_short_tokens_are_dropped():
    tokens = subject_tokens("The 2026 invoice for your order 12345 is x ready ٣ 3.50")
    assert tokens == ["invoice", "order", "ready"]


def test_letters_with_digits_are_words_not_numbers():
    assert subject_tokens("Your 2FA code for Q3") == ["2fa", "code", "q3"]


def test_unicode_words_are_case_folded_and_normalised():
    assert subject_tokens("Café in Zürich, STRASSE and Straße, ＳＡＬＥ") == ["café", "zürich", "strasse", "sale"]
    assert subject_tokens("東京 meetup") == ["東京", "meetup"]


def test_apostrophes_contractions_and_possessives():
    assert subject_tokens("Don't miss Amazon's offer") == ["miss", "amazon", "offer"]
    assert subject_tokens("Don\u2019t miss Amazon\u2019s offer") == ["miss", "amazon", "offer"]
    assert subject_tokens("O'Reilly books") == ["o'reilly", "books"]


def test_separators_split_words():
    assert subject_tokens("follow-up re: e-mail/newsletter snake_case") == [
        "follow", "mail", "newsletter", "snake", "case",
    ]


def test_tokens_are_unique_and_in_first_appearance_order():
    assert subject_tokens("sale Sale SALE deal sale") == ["sale", "deal"]


def test_token_count_is_capped_at_the_first_ones():
    words = [f"word{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(MAX_TOKENS + 10)]
    tokens = subject_tokens(" ".join(words))
    assert tokens == words[:MAX_TOKENS]
    assert subject_tokens(" ".join(words), max_tokens=3) == words[:3]
    assert sum(f.startswith("contains:") for f in features(snapshot(subject=" ".join(words)))) == MAX_TOKENS


def test_overlong_tokens_are_dropped():
    assert subject_tokens("ref " + "a" * 41 + " ok") == ["ref", "ok"]
    assert subject_tokens("a" * 40) == ["a" * 40]


def test_stop_word_list_is_the_documented_english_one():
    assert {"the", "and", "your", "don't", "re", "fwd"} <= STOP_WORDS
    assert not {"sale", "event", "invoice", "interview"} & STOP_WORDS
    assert subject_tokens("Fwd: RE: the interview") == ["interview"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Email.Amazon.co.uk", "amazon.co.uk"),
        ("news@mail.Example.COM", "example.com"),
        ("amazon.com.evil.io", "evil.io"),
        ("localhost", "localhost"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_sender_domain_is_the_lower_cased_registrable_domain(raw, expected):
    assert normalise_sender_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Deals <Deals.Groupon.com>", "deals.groupon.com"),
        ("<News.Example.com>", "news.example.com"),
        ("News.Example.com", "news.example.com"),
        ("  ", None),
        (None, None),
    ],
)
def test_list_id_is_normalised(raw, expected):
    assert normalise_list_id(raw) == expected


def test_missing_fields_produce_no_feature_of_their_kind():
    assert features(snapshot()) == []
    assert features(snapshot(category="  ", subject="the a 42")) == []
    assert features(snapshot(sender_domain="shop.example.org")) == ["sender_domain:example.org"]
