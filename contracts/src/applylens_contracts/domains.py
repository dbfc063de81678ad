"""Registrable-domain helper shared by every service that reasons about senders."""

from __future__ import annotations

from functools import lru_cache

import tldextract

# The Public Suffix List snapshot bundled with tldextract; never fetched at run time.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=65536)
def registrable_domain(host_or_address: str | None) -> str | None:
    """Lower-cased registrable domain ("eTLD+1") of a host name or an e-mail address.

    ``"Deals <news@Email.Amazon.co.uk>"`` -> ``"amazon.co.uk"``; ``"amazon.com.evil.io"`` -> ``"evil.io"``.
    Returns None for empty input or when no public suffix matches (e.g. ``"localhost"``).
    """
    if not host_or_address:
        return None
    value = host_or_address.strip().strip("<>").lower()
    if "<" in value:  # display name form: take what is inside the angle brackets
        value = value.rsplit("<", 1)[1].strip(">").strip()
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    value = value.strip().strip(".")
    if not value:
        return None
    parts = _extract(value)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}"


def is_same_or_subdomain(host: str | None, domain: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains (never a substring match)."""
    if not host:
        return False
    host = host.lower().strip(".")
    domain = domain.lower().strip(".")
    return host == domain or host.endswith("." + domain)
