import pytest

from applylens_contracts.domains import is_same_or_subdomain, registrable_domain


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("email.amazon.com", "amazon.com"),
        ("Amazon <auto-confirm@Amazon.COM>", "amazon.com"),
        ("shipment@email.amazon.co.uk", "amazon.co.uk"),
        ("amazon.com.evil.io", "evil.io"),
        ("no-reply@us.greenhouse-mail.io", "greenhouse-mail.io"),
        ("localhost", None),
        ("", None),
        (None, None),
    ],
)
def test_registrable_domain(value, expected):
    assert registrable_domain(value) == expected


def test_subdomain_match_is_never_a_substring_match():
    assert is_same_or_subdomain("email.amazon.com", "amazon.com")
    assert not is_same_or_subdomain("amazon.com.evil.io", "amazon.com")
    assert not is_same_or_subdomain("notamazon.com", "amazon.com")
