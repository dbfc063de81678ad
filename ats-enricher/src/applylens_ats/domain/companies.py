"""Who sent it and which company it is about: ATS sender domains and company names.

Domains are compared by registrable domain (``applylens_contracts.domains``), never by
substring, so ``greenhouse.io.evil.example`` is not Greenhouse. Company names are
compared as whole words after dropping legal suffixes ("Acme, Inc." ~ "ACME").
"""

from __future__ import annotations

import re

from applylens_contracts.domains import registrable_domain

# Registrable domains that ATSs send candidate notifications from -> system name.
ATS_SENDER_DOMAINS: dict[str, str] = {
    "greenhouse.io": "greenhouse",
    "greenhouse-mail.io": "greenhouse",
    "lever.co": "lever",
    "myworkdayjobs.com": "workday",
    "myworkday.com": "workday",
    "workday.com": "workday",
    "ashbyhq.com": "ashby",
    "smartrecruiters.com": "smartrecruiters",
    "smartrecruitersmail.com": "smartrecruiters",
    "icims.com": "icims",
    "jobvite.com": "jobvite",
    "taleo.net": "taleo",
    "successfactors.com": "successfactors",
    "successfactors.eu": "successfactors",
    "bamboohr.com": "bamboohr",
    "workable.com": "workable",
    "workablemail.com": "workable",
    "recruitee.com": "recruitee",
    "breezy.hr": "breezy",
    "applytojob.com": "jazzhr",
    "jazzhr.com": "jazzhr",
    "teamtailor.com": "teamtailor",
    "teamtailor-mail.com": "teamtailor",
    "personio.de": "personio",
    "personio.com": "personio",
    "pinpointhq.com": "pinpoint",
}

# Mailbox providers: a company "domain" here says nothing about the company.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
        "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de", "mail.com",
        "zoho.com", "fastmail.com", "hey.com", "yandex.com", "qq.com", "163.com",
    }
)

_LEGAL_SUFFIXES = frozenset(
    {
        "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co",
        "company", "gmbh", "ag", "plc", "sa", "sas", "bv", "nv", "oy", "ab", "pty", "srl",
        "holdings", "group",
    }
)

# Words ATS display names wrap around the company: "Acme Recruiting", "Acme Hiring Team".
_SENDER_NOISE = re.compile(
    r"\b(?:recruiting|recruitment|recruiter|recruiters|hiring|team|talent|acquisition|"
    r"careers?|jobs?|people|hr|human resources|notifications?|no[ -]?reply|do not reply|"
    r"noreply|via|from|the|at)\b",
    re.IGNORECASE,
)
_ATS_BRANDS = frozenset(
    {"greenhouse", "lever", "workday", "ashby", "smartrecruiters", "icims", "jobvite", "taleo",
     "successfactors", "bamboohr", "workable", "recruitee", "breezy", "jazzhr", "teamtailor",
     "personio", "pinpoint"}
)


def ats_system_for(sender: str | None) -> str | None:
    """ATS system name for a sender host or address (``no-reply@us.greenhouse-mail.io`` -> greenhouse)."""
    domain = registrable_domain(sender)
    return ATS_SENDER_DOMAINS.get(domain) if domain else None


def is_free_mail(domain: str | None) -> bool:
    return registrable_domain(domain) in FREE_MAIL_DOMAINS


def company_key(name: str | None) -> str | None:
    """Comparable form of a company name: lower case, words only, legal suffixes dropped.

    ``"Acme, Inc."`` -> ``"acme"``; ``"Globex Corporation"`` -> ``"globex"``; None if nothing is left.
    """
    if not name:
        return None
    words = re.sub(r"[^0-9a-z&]+", " ", name.lower()).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    key = " ".join(words)
    return key or None


def domain_label(domain: str | None) -> str | None:
    """The name part of a registrable domain: ``"careers.acme.co.uk"`` -> ``"acme"``."""
    registrable = registrable_domain(domain)
    if not registrable:
        return None
    return registrable.split(".", 1)[0].replace("-", " ")


def normalize_text(text: str | None) -> str:
    """Lower case, punctuation to spaces, single spaces: the form ``mentions`` searches."""
    if not text:
        return ""
    return " " + " ".join(re.sub(r"[^0-9a-z&]+", " ", text.lower()).split()) + " "


def mentions(normalized_text: str, phrase_key: str | None) -> bool:
    """True when ``phrase_key`` (already a ``company_key``-style phrase) occurs as whole words."""
    if not phrase_key or len(phrase_key) < 2:
        return False
    return f" {phrase_key} " in normalized_text


def company_from_display_name(display_name: str | None) -> str | None:
    """Company named by an ATS sender's display name: "Acme Recruiting" -> "Acme".

    None when nothing but noise or an ATS brand remains ("Greenhouse", "no-reply").
    """
    if not display_name:
        return None
    text = re.sub(r"\(.*?\)", " ", display_name)  # "Acme (via Lever)"
    text = re.sub(r"\s+via\s+\S+.*$", " ", text, flags=re.IGNORECASE)
    text = _SENDER_NOISE.sub(" ", text)
    text = " ".join(re.sub(r"[|@:•·,\-–—]+", " ", text).split())
    if not text or text.lower() in _ATS_BRANDS:
        return None
    return text


# A company name: starts with a capital letter or digit-led brand, a few words at most.
_WORD = r"[A-Z0-9](?:[\w&'’-]|\.(?=\w))*"  # dots only inside a word: "Booking.com"
_NAME = rf"(?P<name>{_WORD}(?:[ \t]+(?:&|{_WORD})){{0,4}})"
_COMPANY_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        r"\b(?:role|position|opening|job|opportunity|internship)\s+(?:at|with)\s+" + _NAME,
        r"\b[Aa]pplying\s+(?:to|at|with)\s+" + _NAME,
        r"\b[Aa]pplication\s+(?:to|at|with)\s+" + _NAME,
        r"\b[Ii]nterest\s+in\s+(?:joining\s+|working\s+(?:at|with)\s+)?" + _NAME,
        r"\b[Ii]nterview\s+(?:with|at)\s+" + _NAME,
        r"\b(?:join|joining)\s+" + _NAME,
        r"\b[Tt]he\s+" + _NAME + r"\s+(?:[Rr]ecruiting|[Hh]iring|[Tt]alent|[Pp]eople)\s+[Tt]eam",
        r"\bat\s+" + _NAME,
    )
)
_NOT_A_COMPANY = frozenset(
    {"the", "our", "a", "an", "this", "your", "us", "you", "we", "it", "this time", "noon",
     "midnight", "least", "all", "present", "once", "greenhouse", "lever", "workday"}
)
_CALENDAR_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
     "tomorrow", "january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
     "aug", "sep", "sept", "oct", "nov", "dec", "am", "pm", "utc"}
)
_TRAILING_NOISE = re.compile(
    r"\s+(?:for|as|about|regarding|on|in|and|to|is|has|we|the|team|recruiting|hiring)\b.*$"
)


def company_from_text(*texts: str | None) -> str | None:
    """First company name found by the recruiting phrases in ``texts`` (subject first, then body).

    "Thank you for applying to Acme Corp for the Engineer role" -> "Acme Corp";
    "Interview invitation: Senior Engineer at Globex" -> "Globex". None when no phrase fits.
    """
    for pattern in _COMPANY_PATTERNS:
        for text in texts:
            if not text:
                continue
            for found in pattern.finditer(text):
                name = _TRAILING_NOISE.sub("", found.group("name")).strip(" .'’-")
                if (
                    name
                    and name.lower() not in _NOT_A_COMPANY
                    and name.split()[0].lower().strip(".,") not in _CALENDAR_WORDS
                    and not name[0].isdigit()
                ):
                    return name
    return None
