"""Email categories: from Gmail's category labels when present, else from pure, whole-word rules.

Categories: ``finance``, ``promo``, ``event``, ``recruiting``, ``social``, ``updates``,
``personal`` (rules) and ``forums`` (only from Gmail's label). Words match whole words
only: "sale" never hits *wholesale*, "event" never hits *prevent*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from applylens_contracts.domains import registrable_domain

CATEGORIES = ("finance", "promo", "event", "recruiting", "social", "updates", "personal", "forums")

# Gmail category label (API id form) -> our category. Takeout writes "Category Promotions";
# normalise_labels() turns that into the API form first.
GMAIL_CATEGORY_LABELS: dict[str, str] = {
    "CATEGORY_PURCHASES": "finance",
    "CATEGORY_PROMOTIONS": "promo",
    "CATEGORY_SOCIAL": "social",
    "CATEGORY_UPDATES": "updates",
    "CATEGORY_FORUMS": "forums",
    "CATEGORY_PERSONAL": "personal",
}
# Plain labels that also mean finance (Gmail "Purchases", user "Receipts"/"Finance" labels).
_FINANCE_LABELS = frozenset({"PURCHASES", "RECEIPTS", "FINANCE"})
# Gmail system labels as Takeout spells them -> the Gmail API id.
_SYSTEM_LABELS = {
    "inbox": "INBOX",
    "sent": "SENT",
    "important": "IMPORTANT",
    "starred": "STARRED",
    "unread": "UNREAD",
    "spam": "SPAM",
    "trash": "TRASH",
    "draft": "DRAFT",
    "drafts": "DRAFT",
    "chat": "CHAT",
}
_LABEL_PRIORITY = ("finance", "promo", "social", "forums", "updates", "personal")


def normalise_labels(labels: Iterable[str]) -> list[str]:
    """Gmail labels in API form: "Category Promotions" -> "CATEGORY_PROMOTIONS", "Inbox" -> "INBOX".

    User labels are kept verbatim; duplicates and empty labels are dropped, order kept.
    """
    out: list[str] = []
    for label in labels:
        label = label.strip()
        if not label:
            continue
        low = label.lower()
        if low.startswith("category ") or low.startswith("category_"):
            label = "CATEGORY_" + label[9:].strip().upper().replace(" ", "_")
        elif low in _SYSTEM_LABELS:
            label = _SYSTEM_LABELS[low]
        if label not in out:
            out.append(label)
    return out


def category_from_labels(labels: Iterable[str]) -> str | None:
    """Our category from Gmail labels (already normalised), or None when no category label is present."""
    found: set[str] = set()
    for label in labels:
        upper = label.upper()
        if upper in GMAIL_CATEGORY_LABELS:
            found.add(GMAIL_CATEGORY_LABELS[upper])
        elif upper in _FINANCE_LABELS:
            found.add("finance")
    for category in _LABEL_PRIORITY:
        if category in found:
            return category
    return None


def _words(*phrases: str) -> tuple[str, ...]:
    return phrases


_RULES: dict[str, tuple[str, ...]] = {
    "recruiting": _words(
        "application",
        "applications",
        "applying",
        "applied",
        "interview",
        "interviews",
        "interviewing",
        "recruiter",
        "recruiting",
        "recruitment",
        "candidate",
        "candidacy",
        "hiring",
        "onsite",
        "phone screen",
        "offer letter",
        "job offer",
        "position",
        "job",
        "jobs",
        "role",
        "talent acquisition",
        "next steps",
    ),
    "finance": _words(
        "receipt",
        "receipts",
        "invoice",
        "invoices",
        "order",
        "orders",
        "payment",
        "payments",
        "paid",
        "refund",
        "refunded",
        "charge",
        "charged",
        "billing",
        "bill",
        "statement",
        "transaction",
        "purchase",
        "purchased",
        "subscription",
        "renewal",
        "amount due",
        "order confirmation",
        "order number",
        "total",
    ),
    "event": _words(
        "event",
        "events",
        "meetup",
        "meetups",
        "conference",
        "webinar",
        "rsvp",
        "rsvp'd",
        "ticket",
        "tickets",
        "summit",
        "workshop",
        "hackathon",
        "save the date",
        "join us",
        "registration",
        "you're going",
        "agenda",
        "speakers",
        "venue",
    ),
    "social": _words(
        "mentioned you",
        "commented",
        "tagged you",
        "friend request",
        "new follower",
        "followed you",
        "connection request",
        "liked your",
        "endorsed you",
        "invitation to connect",
        "your network",
        "reacted",
        "replied to your",
    ),
    "promo": _words(
        "sale",
        "sales event",
        "discount",
        "discounts",
        "deal",
        "deals",
        "coupon",
        "coupons",
        "promo",
        "promo code",
        "promotion",
        "limited time",
        "free shipping",
        "shop now",
        "clearance",
        "exclusive offer",
        "flash sale",
        "black friday",
        "last chance",
        "new arrivals",
        "offer ends",
        "off everything",
        "special offer",
        "don't miss",
        "members only",
    ),
    "updates": _words(
        "newsletter",
        "digest",
        "weekly",
        "monthly",
        "update",
        "updates",
        "notification",
        "notifications",
        "alert",
        "security alert",
        "password",
        "verify",
        "release notes",
        "changelog",
        "edition",
        "issue",
        "roundup",
        "this week",
    ),
}


def _compile(rules: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    """One pattern, one named group per category: a single pass over the text counts every category."""
    groups = []
    for category, phrases in rules.items():
        alts = sorted((re.escape(p).replace(r"\ ", r"\s+") for p in phrases), key=len, reverse=True)
        groups.append(f"(?P<{category}>" + "|".join(alts) + ")")
    return re.compile(r"(?<![\w'])(?:" + "|".join(groups) + r")(?![\w'])", re.IGNORECASE)


_PATTERN = _compile(_RULES)

_PERCENT_OFF = re.compile(r"\d{1,2}\s?%\s*off\b", re.IGNORECASE)

_DOMAINS: dict[str, tuple[str, ...]] = {
    "recruiting": (
        "greenhouse.io",
        "greenhouse-mail.io",
        "lever.co",
        "myworkday.com",
        "myworkdayjobs.com",
        "workday.com",
        "ashbyhq.com",
        "smartrecruiters.com",
        "icims.com",
        "jobvite.com",
        "workable.com",
        "workablemail.com",
        "bamboohr.com",
        "taleo.net",
        "successfactors.com",
    ),
    "finance": ("paypal.com", "stripe.com", "venmo.com", "squareup.com", "wise.com", "revolut.com"),
    "event": ("meetup.com", "eventbrite.com", "lu.ma", "luma-mail.com", "splashthat.com"),
    "social": (
        "linkedin.com",
        "facebookmail.com",
        "facebook.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "mastodon.social",
        "reddit.com",
        "redditmail.com",
    ),
}
# All listed domains are registrable domains, so a sender's registrable domain is looked up
# exactly: subdomains match (us.greenhouse-mail.io), look-alikes never do (lever.co.evil.io).
_DOMAIN_CATEGORY = {domain: category for category, domains in _DOMAINS.items() for domain in domains}
_PERSONAL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "fastmail.com",
        "gmx.de",
        "web.de",
    }
)
_TIE_ORDER = ("recruiting", "finance", "event", "social", "promo", "updates", "personal")
_SUBJECT_WEIGHT, _BODY_WEIGHT, _BODY_CAP, _DOMAIN_WEIGHT = 3.0, 1.0, 4.0, 6.0
_BODY_CHARS = 4000  # the opening of a body carries its signal; the rest is footers
_MIN_SCORE = 3.0


def category_scores(
    subject: str,
    body_text: str = "",
    *,
    sender_domain: str | None = None,
    list_id: str | None = None,
) -> dict[str, float]:
    """Per-category rule score (for debugging and tests); see :func:`categorize`."""
    body = body_text[:_BODY_CHARS]
    scores = {c: 0.0 for c in _TIE_ORDER}
    for match in _PATTERN.finditer(subject):
        scores[match.lastgroup] += _SUBJECT_WEIGHT  # type: ignore[index]
    body_scores = dict.fromkeys(_RULES, 0.0)
    for match in _PATTERN.finditer(body):
        body_scores[match.lastgroup] += _BODY_WEIGHT  # type: ignore[index]
    for category, score in body_scores.items():
        scores[category] += min(_BODY_CAP, score)
    if _PERCENT_OFF.search(subject):
        scores["promo"] += _SUBJECT_WEIGHT
    if _PERCENT_OFF.search(body):
        scores["promo"] += _BODY_WEIGHT
    if sender_domain:
        sender_domain = registrable_domain(sender_domain) or sender_domain.lower()
        if sender_domain in _DOMAIN_CATEGORY:
            scores[_DOMAIN_CATEGORY[sender_domain]] += _DOMAIN_WEIGHT
        if sender_domain in _PERSONAL_DOMAINS and not list_id:
            scores["personal"] += _SUBJECT_WEIGHT
    if list_id:
        scores["updates"] += 2.0
    return scores


def categorize(
    subject: str,
    body_text: str = "",
    *,
    sender_domain: str | None = None,
    list_id: str | None = None,
) -> str:
    """Rule-based category of an email (pure; used when Gmail gave no category label).

    Each category scores whole-word hits (subject weighs 3, the body's first 4,000
    characters 1 each, capped at 4), plus 6 for a known sender domain (ATS systems,
    payment processors, event platforms, social networks; subdomains included, never a
    substring match). The best score of at least 3 wins, ties going to the earlier of
    recruiting, finance, event, social, promo, updates, personal. A mailing list with
    no other signal is ``updates``; anything else is ``personal``.
    """
    scores = category_scores(subject, body_text, sender_domain=sender_domain, list_id=list_id)
    best = max(_TIE_ORDER, key=lambda c: (scores[c], -_TIE_ORDER.index(c)))
    if scores[best] >= _MIN_SCORE:
        return best
    return "updates" if list_id else "personal"
