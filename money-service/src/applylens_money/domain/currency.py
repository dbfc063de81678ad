"""Currency markers → ISO 4217 codes, and the sender's country for ambiguous symbols.

Rules (pure; babel's CLDR data, no network):

* An explicit ISO code next to the amount ("USD 12", "12,50 EUR") wins.
* An unambiguous symbol maps directly: € EUR, £ GBP, ₹ INR, CA$/C$/CAD$ CAD, A$/AU$ AUD,
  NZ$ NZD, HK$ HKD, S$ SGD, R$ BRL, US$ USD, …
* An ambiguous symbol ("$", "¥", "kr") is resolved by the sender's country — the
  country-code top-level domain of the sender's registrable domain (``shop.ca`` → CA,
  ``amazon.com.au`` → AU, ``amazon.co.uk`` → GB) — when that country's own currency
  is written with that symbol in the country's main locale (CLDR): "$" from ``.ca`` is
  CAD, from ``.com.mx`` MXN; "$" from ``.de`` stays USD because the euro is not "$".
  Otherwise: "$" → USD, "¥" → JPY, "kr" → unresolved (None, the amount is skipped).
* ccTLDs used as generic names (.io, .co, .ai, .me, .tv, …) carry no country.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, get_territory_currencies, list_currencies

# Three-letter codes we accept as a currency marker in text. Deliberately not every
# ISO code: ALL, TOP, CUP, MOP, BAM, TRY … are also English words in shouted subjects.
TEXT_CODES = frozenset(
    "USD EUR GBP CAD AUD NZD CHF JPY CNY RMB INR SEK NOK DKK ISK PLN CZK HUF RON BGN "
    "BRL MXN ARS CLP COP PEN SGD HKD TWD KRW THB MYR IDR PHP VND ZAR ILS AED SAR "
    "QAR KWD EGP NGN KES UAH RUB".split()
)

# Symbol (as written, upper-cased) → ISO code for unambiguous symbols.
SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "RS": "INR",
    "RS.": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₱": "PHP",
    "฿": "THB",
    "₴": "UAH",
    "₦": "NGN",
    "ZŁ": "PLN",
    "KČ": "CZK",
    "FT": "HUF",
    "US$": "USD",
    "USD$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "CAD$": "CAD",
    "CAN$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "AUD$": "AUD",
    "NZ$": "NZD",
    "NZD$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "SG$": "SGD",
    "R$": "BRL",
    "MX$": "MXN",
    "NT$": "TWD",
    "CN¥": "CNY",
    "JP¥": "JPY",
    "RMB": "CNY",
}

# Ambiguous symbol → fallback code when the sender's country does not decide.
AMBIGUOUS: dict[str, str | None] = {"$": "USD", "¥": "JPY", "￥": "JPY", "KR": None, "KR.": None}

# ccTLDs commonly registered as generic names; they say nothing about the country.
GENERIC_CCTLDS = frozenset(
    "io co ai me tv fm ly gg to sh cc ws so vc ag am im is la mu nu pw sc st su tk ac gl".split()
)


def iso_code(code: str) -> str | None:
    """Upper-cased ``code`` if it is a currency code known to CLDR, else None."""
    code = code.strip().upper()
    if code == "RMB":
        return "CNY"
    return code if code in _all_codes() else None


@lru_cache(maxsize=1)
def _all_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def sender_country(domain: str | None) -> str | None:
    """ISO 3166 country of a registrable domain's ccTLD, or None.

    ``"amazon.ca"`` → ``"CA"``, ``"amazon.com.au"`` → ``"AU"``, ``"amazon.co.uk"`` → ``"GB"``,
    ``"amazon.com"`` / ``"stripe.io"`` / None → None.
    """
    if not domain:
        return None
    tld = domain.rstrip(".").rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or not tld.isalpha() or tld in GENERIC_CCTLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()


@lru_cache(maxsize=512)
def _local_currency_and_symbol(country: str) -> tuple[str, str] | None:
    try:
        currencies = get_territory_currencies(country)
    except Exception:  # babel raises plain errors for unknown territories
        return None
    if not currencies:
        return None
    currency = currencies[0]
    try:
        locale = Locale.parse(f"und_{country}")
    except (UnknownLocaleError, ValueError):
        return None
    from babel.numbers import get_currency_symbol

    symbol = get_currency_symbol(currency, locale).replace("￥", "¥").upper()
    return currency, symbol


def resolve_marker(marker: str, country: str | None = None) -> str | None:
    """ISO 4217 code for a currency marker found next to an amount.

    ``marker`` is a symbol ("$", "€", "CA$") or a code ("usd" is accepted too);
    ``country`` is the sender's country from :func:`sender_country`. Returns None when
    the marker is unknown or stays ambiguous (e.g. "kr" from a ``.com`` sender).
    """
    key = marker.strip().upper().replace("￥", "¥")
    if key in SYMBOLS:
        return SYMBOLS[key]
    if key in AMBIGUOUS:
        if country:
            local = _local_currency_and_symbol(country)
            if local and local[1].rstrip(".") == key.rstrip("."):
                return local[0]
        return AMBIGUOUS[key]
    if len(key) == 3 and key.isalpha():
        return iso_code(key)
    return None


def minor_units(currency: str | None) -> int:
    """Digits after the decimal point for ``currency`` (USD 2, JPY 0); 2 when unknown."""
    if not currency:
        return 2
    try:
        return int(get_currency_precision(currency))
    except Exception:
        return 2
