"""Fixed vocabulary of the demo mailbox: companies, ATS senders, merchants, lists. Fictional names."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = ("Jordan", "Priya", "Sam", "Mei", "Lukas", "Amara", "Diego", "Hannah", "Omar", "Sofia", "Kenji", "Nadia")
LAST_NAMES = (
    "Lee",
    "Patel",
    "Garcia",
    "Chen",
    "Müller",
    "Okafor",
    "Rossi",
    "Novak",
    "Haddad",
    "Silva",
    "Tanaka",
    "Berg",
)


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    slug: str  # Workday tenant / Lever account name


COMPANIES = (
    Company("Northwind Labs", "northwindlabs.com", "northwind"),
    Company("Bluefin Analytics", "bluefin-analytics.io", "bluefin"),
    Company("Quarry Systems", "quarrysystems.com", "quarry"),
    Company("Helio Health", "heliohealth.com", "heliohealth"),
    Company("Tessellate", "tessellate.dev", "tessellate"),
    Company("Lumen Robotics", "lumenrobotics.com", "lumen"),
    Company("Kestrel Pay", "kestrelpay.com", "kestrelpay"),
    Company("Orchard Data", "orcharddata.co", "orcharddata"),
    Company("Vantage Mobility", "vantagemobility.de", "vantage"),
    Company("Foxglove AI", "foxglove.ai", "foxglove"),
    Company("Granite Cloud", "granitecloud.net", "granite"),
    Company("Pioneer Learning", "pioneerlearning.org", "pioneer"),
)

JOB_TITLES = (
    "Senior Backend Engineer",
    "Staff Software Engineer",
    "Data Engineer",
    "Machine Learning Engineer",
    "Platform Engineer",
    "Site Reliability Engineer",
    "Full Stack Engineer",
    "Engineering Manager",
    "Product Engineer",
    "Senior Data Scientist",
)

# ATS system -> sender addresses ("{slug}" filled with the company's slug).
ATS_SENDERS = {
    "greenhouse": ("no-reply@greenhouse.io", "no-reply@us.greenhouse-mail.io"),
    "lever": ("no-reply@hire.lever.co",),
    "workday": ("{slug}@myworkday.com",),
}
SYSTEMS = ("greenhouse", "lever", "workday", "direct")

# Final outcome -> stage sequence. "Recruiter Screen", "Phone Screen" and "Onsite" are interviews.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "offer": ("Applied", "Recruiter Screen", "Phone Screen", "Onsite", "Offer"),
    "rejected_after_onsite": ("Applied", "Recruiter Screen", "Phone Screen", "Onsite", "Rejected"),
    "rejected_after_screen": ("Applied", "Recruiter Screen", "Rejected"),
    "rejected_at_applied": ("Applied", "Rejected"),
    "onsite_scheduled": ("Applied", "Recruiter Screen", "Phone Screen", "Onsite"),
    "phone_screen_scheduled": ("Applied", "Recruiter Screen", "Phone Screen"),
    "stale_applied": ("Applied",),
    "stale_after_screen": ("Applied", "Recruiter Screen"),
}
INTERVIEW_STAGES = ("Recruiter Screen", "Phone Screen", "Onsite")
STALE_AFTER_DAYS = 21


@dataclass(frozen=True)
class Merchant:
    name: str
    domain: str  # registrable domain: what money mode should report as merchant
    sender: str  # From address (often a subdomain of domain)
    currency: str
    style: str  # amount format, see render.format_amount
    low: int
    high: int
    charset: str = "utf-8"
    json_ld: bool = False


MERCHANTS = (
    Merchant("Shopwise", "shopwise.com", "orders@email.shopwise.com", "USD", "usd_symbol", 8, 1600, json_ld=True),
    Merchant("StreamBox", "streambox.tv", "billing@streambox.tv", "USD", "usd_code", 9, 25),
    Merchant(
        "Café Lumière",
        "cafe-lumiere.fr",
        "commandes@cafe-lumiere.fr",
        "EUR",
        "eur_suffix",
        4,
        1400,
        charset="windows-1252",
    ),
    Merchant(
        "Brightside Books", "brightsidebooks.co.uk", "receipts@mail.brightsidebooks.co.uk", "GBP", "gbp_symbol", 6, 90
    ),
    Merchant("NordRail", "nordrail.eu", "tickets@nordrail.eu", "EUR", "eur_code", 12, 240, json_ld=True),
    Merchant("Maple & Pine Outfitters", "mapleandpine.ca", "orders@mapleandpine.ca", "CAD", "cad_symbol", 20, 600),
    Merchant("RideNow", "ridenow.app", "receipts@ridenow.app", "USD", "usd_symbol", 9, 60),
)
ITEMS = (
    "Noise-cancelling headphones",
    "USB-C hub",
    "Ceramic pour-over set",
    "Trail running shoes",
    "Paperback: Designing Data-Intensive Applications",
    "Wool scarf",
    "Monthly plan",
    "Day return ticket",
    "Standing desk mat",
    "Espresso beans 1kg",
    "Rain jacket",
    "Mechanical keyboard",
)

NEWSLETTERS = (
    ("Postgres Weekly", "postgresweekly.com", "postgresweekly.list.postgresweekly.com"),
    ("The Pragmatic Digest", "pragmaticdigest.net", "digest.pragmaticdigest.net"),
    ("Rust Roundup", "rustroundup.org", "roundup.rustroundup.org"),
    ("Data Eng Notes", "dataengnotes.substack.com", "dataengnotes.substack.com"),
)
HEADLINES = (
    "Why vacuum tuning still matters",
    "A tour of async runtimes",
    "Indexing strategies for large tables",
    "Lessons from a year of on-call",
    "Understanding query planners",
    "What's new in the type checker",
    "Designing idempotent consumers",
    "Benchmarks that tell the truth",
    "Notes on backpressure",
)
PROMOS = (
    (
        "Flash sale: {pct}% off everything this weekend",
        "Shop now and save {pct}% on the whole store. Free shipping on every purchase over $50. Offer ends Sunday.",
    ),
    (
        "Last chance: free shipping ends tonight",
        "Don't miss it: free shipping and exclusive deals for members only. Shop now.",
    ),
    (
        "New arrivals + {pct}% off your next visit",
        "Fresh new arrivals just landed. Use promo code SPRING{pct} for a discount of {pct}%. Limited time.",
    ),
    (
        "Members only: clearance deals up to {pct}% off",
        "Our clearance sale is live. Exclusive offer for members only, limited time.",
    ),
)
PROMO_SENDERS = (
    ("Shopwise Deals", "deals@news.shopwise.com", "deals.shopwise.com"),
    ("Maple & Pine", "hello@mail.mapleandpine.ca", "news.mapleandpine.ca"),
    ("Urban Threads", "offers@urbanthreads.shop", "offers.urbanthreads.shop"),
)
EVENTS = (
    ("Meetup", "info@meetup.com", "RSVP confirmed: {group} meetup on {day}", "PyData {city}"),
    ("Eventbrite", "noreply@order.eventbrite.com", "Your tickets for {group} conference", "DataConf {city}"),
    ("Luma", "hello@lu.ma", "You're going to {group}: save the date", "Platform Engineering Night {city}"),
)
CITIES = ("Berlin", "Lisbon", "Austin", "Toronto", "London", "Amsterdam")
SOCIAL = (
    "{name} commented on your post",
    "{name} mentioned you in a comment",
    "You have a new connection request from {name}",
    "{name} endorsed you for Python",
)
PERSONAL = (
    (
        "Dinner on Friday?",
        "Hey! Are you around on Friday evening? Thinking of trying the new ramen place near the river.",
    ),
    ("Photos from the hike", "Here are the photos from Saturday. The view from the ridge was unreal."),
    ("Happy birthday!", "Happy birthday!! Hope you have a lovely day and get some cake."),
    ("Moving boxes", "Do you still have those moving boxes? We could use a few next week."),
)
FORUMS = (
    (
        "pydata-{city}",
        "Re: Looking for speakers (lightning talks)",
        "Has anyone got slides for the lightning talks? Happy to help review.",
    ),
    (
        "postgres-users-{city}",
        "Re: Slow autovacuum on a big table",
        "Try lowering the scale factor for that table only, it helped us.",
    ),
)
