from __future__ import annotations

import pytest
from applylens_learner.domain import MAX_FEATURE_LENGTH, check_feature_name


@pytest.mark.parametrize("name", ["bias", "category:promo", "sender_domain:groupon.com", "listid:deals.groupon.com",
                                  "contains:sale", "contains:café", "contains:don't"])
def test_learnable_names_are_accepted(name):
    assert check_feature_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("promo", "must be 'bias' or one of"),
        ("categroy:promo", "must be 'bias' or one of"),
        ("Bias", "must be 'bias' or one of"),
        ("contains:", "empty value"),
        ("contains:two words", "whitespace"),
        ("contains:tab\there", "whitespace"),
        ("contains:nul\x00", "control"),
        ("category:Promo", "lower case"),
        ("contains:" + "x" * MAX_FEATURE_LENGTH, f"at most {MAX_FEATURE_LENGTH}"),
    ],
)
def test_other_names_are_refused_with_the_reason(name, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        check_feature_name(name)
