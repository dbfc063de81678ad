"""The seeded demo mailbox: recruiting pipelines, receipts, events, newsletters, promos, social, personal.

Deterministic: the same (seed, now, users, messages_per_user, gmail_labels) always gives
byte-identical messages and the same ground truth. Every date is relative to ``now``.
Messages go through the real importer (written as mbox/.eml), never straight into an index.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from applylens_contracts.domains import registrable_domain

from ..categorize import normalise_labels
from ..parse import email_id_for, gmail_thread_id
from . import catalog as C
from .render import (
    address,
    date_header,
    encode_header,
    format_amount,
    mbox_entry,
    render_message,
)
from .truth import GroundTruth, iso

UTC = timezone.utc
DEFAULT_NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DEFAULT_USERS = ("alice@example.com", "bob@example.com")
DEFAULT_SEED = 7
HISTORY_DAYS = 180
MBOX_NAME = "All mail Including Spam and Trash.mbox"  # what Gmail Takeout calls it
_CENT = Decimal("0.01")
_DUP_GUARD_DAYS = 14  # random receipts never form an unintended duplicate within this window

# Gmail labels (Takeout spelling) per category; recruiting and event mail sit in Primary with no category label.
_GMAIL_LABELS = {
    "promo": ("Category Promotions", "Opened"),
    "updates": ("Inbox", "Category Updates"),
    "social": ("Category Social",),
    "forums": ("Category Forums",),
    "finance": ("Inbox", "Category Purchases"),
    "personal": ("Inbox", "Important", "Category Personal"),
    "recruiting": ("Inbox", "Important", "Opened"),
    "event": ("Inbox", "Starred"),
}
# scenario -> weight when filling the mailbox after the coverage scenarios
_WEIGHTS = {
    "application": 8,
    "receipt": 12,
    "event": 7,
    "newsletter": 22,
    "promo": 25,
    "social": 8,
    "personal": 8,
    "forum": 4,
}


@dataclass(frozen=True, slots=True)
class DemoMessage:
    """One generated email: ``raw`` is RFC 5322 bytes (no mbox ``From`` line)."""

    user_id: str
    email_id: str
    category: str
    kind: str
    received_at: datetime
    envelope_sender: str
    raw: bytes


@dataclass
class _Thread:
    root: str | None = None  # Message-ID of the first message
    thrid: str | None = None  # Gmail thread id when the scenario is a Takeout export


@dataclass
class _User:
    user: str
    first: str
    rng: random.Random
    now: datetime
    truth: GroundTruth
    gmail_ratio: float
    serial: int = 0
    charges: dict[tuple[str, Decimal], list[datetime]] = field(default_factory=dict)

    # -- helpers ---------------------------------------------------------------------------------
    def ago(self, low_days: float, high_days: float) -> datetime:
        seconds = self.rng.uniform(low_days * 86400, high_days * 86400)
        return (self.now - timedelta(seconds=int(seconds))).replace(microsecond=0)

    def person(self) -> tuple[str, str]:
        return self.rng.choice(C.FIRST_NAMES), self.rng.choice(C.LAST_NAMES)

    def thread(self) -> _Thread:
        gmail = self.rng.random() < self.gmail_ratio
        return _Thread(thrid=str(self.rng.getrandbits(62) | (1 << 60)) if gmail else None)

    def emit(
        self,
        *,
        kind: str,
        category: str,
        sender: tuple[str, str],
        subject: str,
        when: datetime,
        text: str | None,
        html: str | None = None,
        thread: _Thread | None = None,
        list_id: str | None = None,
        charset: str = "utf-8",
        transfer: str | None = None,
        labels: tuple[str, ...] | None = None,
    ) -> DemoMessage:
        thread = thread or self.thread()
        name, addr = sender
        self.serial += 1
        mail_domain = addr.rsplit("@", 1)[1]
        message_id = f"<{self.rng.getrandbits(64):016x}.{self.serial}@{mail_domain}>"
        headers = [
            ("From", address(name, addr)),
            ("To", self.user),
            ("Subject", encode_header(subject)),
            ("Date", date_header(when)),
            ("Message-ID", message_id),
        ]
        if thread.root:
            headers += [("In-Reply-To", thread.root), ("References", thread.root)]
        if list_id:
            headers.append(("List-Id", f"<{list_id}>"))
            headers.append(("List-Unsubscribe", f"<https://{mail_domain}/unsubscribe>"))
        gmail_labels: list[str] = []
        if thread.thrid:
            gmail_labels = normalise_labels(labels or _GMAIL_LABELS[category])
            headers.insert(0, ("X-Gmail-Labels", ",".join(labels or _GMAIL_LABELS[category])))
            headers.insert(0, ("X-GM-THRID", thread.thrid))
        transfer = transfer or self.rng.choice(("quoted-printable", "base64", "8bit"))
        raw = render_message(
            headers, text=text, html=html, charset=charset, transfer=transfer, boundary=f"=_demo_{self.serial}"
        )
        email_id = email_id_for(message_id)
        if thread.thrid:
            thread_id = gmail_thread_id(thread.thrid)
        elif thread.root:
            thread_id = email_id_for(thread.root)
        else:
            thread_id = email_id
        if thread.root is None:
            thread.root = message_id
        if email_id in self.truth.emails:
            raise RuntimeError(f"demo email id collision: {email_id}")
        self.truth.emails[email_id] = {
            "user_id": self.user,
            "category": category,
            "kind": kind,
            "message_id": message_id,
            "thread_id": thread_id,
            "received_at": iso(when),
            "subject": subject,
            "sender_domain": registrable_domain(addr),
            "gmail_labels": gmail_labels,
        }
        return DemoMessage(self.user, email_id, category, kind, when, addr, raw)

    # -- recruiting ------------------------------------------------------------------------------
    def application(self, outcome: str, system: str) -> list[DemoMessage]:
        rng = self.rng
        company = rng.choice(C.COMPANIES)
        title = rng.choice(C.JOB_TITLES)
        stages = C.OUTCOMES[outcome]
        if outcome.startswith("stale"):
            last = self.ago(C.STALE_AFTER_DAYS + 1, 90)
            status = "stale"
        elif outcome.endswith("scheduled"):
            last, status = self.ago(0.5, 5), "active"
        else:
            last, status = self.ago(0.5, 60), ("offer" if outcome == "offer" else "rejected")
        dates = [last]
        for _ in stages[1:]:
            dates.insert(0, dates[0] - timedelta(seconds=rng.randint(2 * 86400, 12 * 86400)))
        if system == "greenhouse":
            app_id, job_id = str(rng.randint(10**8, 10**9 - 1)), str(rng.randint(10**6, 10**7 - 1))
        elif system == "lever":
            app_id, job_id = self._uuid(), self._uuid()
        elif system == "workday":
            app_id, job_id = f"{company.slug}-JA-{rng.randint(100000, 999999)}", f"R{rng.randint(10**6, 10**7 - 1):07d}"
        else:
            app_id, job_id = f"direct-{rng.getrandbits(32):08x}", None
        recruiter = self.person()
        recruiter_addr = f"{recruiter[0].lower()}.{recruiter[1].lower().replace('ü', 'ue')}@{company.domain}"
        recruiter_sender = (f"{recruiter[0]} {recruiter[1]}", recruiter_addr)
        thread = self.thread() if system == "direct" else None
        history, interviews, messages = [], [], []
        for stage, when in zip(stages, dates, strict=True):
            scheduled = None
            if stage in C.INTERVIEW_STAGES:
                hour = rng.choice((9, 10, 11, 14, 15, 16))
                day = when + timedelta(days=rng.randint(2, 7))
                scheduled = day.replace(hour=hour, minute=rng.choice((0, 30)), second=0)
            sender = self._recruiting_sender(system, stage, company, recruiter_sender)
            subject, body = self._recruiting_text(stage, system, company, title, app_id, job_id, recruiter, scheduled)
            html = None
            if sender[1] != recruiter_addr:
                html = "<html><body>" + "".join(f"<p>{line}</p>" for line in body.split("\n\n")) + "</body></html>"
            msg = self.emit(
                kind=f"ats.{stage.lower().replace(' ', '_')}",
                category="recruiting",
                sender=sender,
                subject=subject,
                when=when,
                text=body,
                html=html,
                thread=thread if sender[1] == recruiter_addr else None,
            )
            messages.append(msg)
            history.append({"stage": stage, "at": iso(when), "email_id": msg.email_id})
            if scheduled:
                interviews.append({"stage": stage, "scheduled_at": iso(scheduled), "email_id": msg.email_id})
        self.truth.applications.append(
            {
                "user_id": self.user,
                "system": system,
                "application_id": app_id,
                "company": company.name,
                "company_domain": company.domain,
                "job_id": job_id,
                "job_title": title,
                "outcome": outcome,
                "current_stage": stages[-1],
                "status": status,
                "applied_at": iso(dates[0]),
                "last_activity_at": iso(dates[-1]),
                "stage_history": history,
                "interviews": interviews,
                "email_ids": [m.email_id for m in messages],
            }
        )
        return messages

    def _uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def _recruiting_sender(self, system, stage, company, recruiter_sender) -> tuple[str, str]:
        if system == "direct" or stage in ("Recruiter Screen", "Offer"):
            return recruiter_sender
        if system == "workday" and stage not in ("Applied", "Rejected"):
            return recruiter_sender
        addr = self.rng.choice(C.ATS_SENDERS[system]).format(slug=company.slug)
        return (f"{company.name} Recruiting", addr)

    def _recruiting_text(self, stage, system, company, title, app_id, job_id, recruiter, scheduled):
        first = self.first
        who = f"{recruiter[0]} {recruiter[1]}"
        ref = f"Application ID: {app_id}" + (f" (job {job_id})" if job_id else "")
        when = scheduled.strftime("%A %d %B %Y at %H:%M UTC") if scheduled else ""
        if stage == "Applied":
            subject = {
                "greenhouse": f"Thank you for applying to {company.name}",
                "lever": f"Your application to {company.name} for {title}",
                "workday": f"Application received: {title} at {company.name}",
                "direct": f"Thanks for your application: {title} at {company.name}",
            }[system]
            body = (
                f"Hi {first},\n\nThank you for your interest in {company.name}! We received your application "
                f"for the {title} position and our recruiting team is reviewing it.\n\n{ref}\n\n"
                f"Best,\n{company.name} Talent Acquisition"
            )
        elif stage == "Recruiter Screen":
            subject = f"{company.name}: next steps for the {title} role"
            body = (
                f"Hi {first},\n\nI'm a recruiter at {company.name} and I enjoyed reading your application for "
                f"the {title} role. Could we set up a 30-minute recruiter screen? I have {when} free.\n\n"
                f"{ref}\n\n{who}\nRecruiting, {company.name}"
            )
        elif stage == "Phone Screen":
            subject = f"Phone screen confirmed: {title} interview at {company.name}"
            body = (
                f"Hi {first},\n\nYour phone screen interview for {title} is confirmed for {when}. "
                f"You will speak with a member of the hiring team.\n\n{ref}\n\n{company.name} Recruiting"
            )
        elif stage == "Onsite":
            subject = f"Onsite interview invitation: {title} at {company.name}"
            body = (
                f"Hi {first},\n\nGreat news: we'd like to invite you to an onsite interview for the {title} "
                f"position on {when}. The interview loop has four sessions with the team.\n\n{ref}\n\n"
                f"{company.name} Recruiting"
            )
        elif stage == "Offer":
            subject = f"Your offer letter from {company.name}"
            body = (
                f"Hi {first},\n\nI'm delighted to share your offer letter for the {title} position at "
                f"{company.name}. Please review the attached details and let me know about next steps.\n\n"
                f"{ref}\n\n{who}\nRecruiting, {company.name}"
            )
        else:  # Rejected
            subject = f"Update on your application to {company.name}"
            body = (
                f"Hi {first},\n\nThank you for your time and interest in the {title} position. After careful "
                f"consideration we have decided to move forward with other candidates for this role.\n\n{ref}\n\n"
                f"{company.name} Recruiting"
            )
        return subject, body

    # -- receipts --------------------------------------------------------------------------------
    def _amount(self, m: C.Merchant, when: datetime) -> Decimal:
        for _ in range(50):
            if m.style == "gbp_symbol" and self.rng.random() < 0.5:
                amount = Decimal(self.rng.randint(m.low, m.high))
            else:
                amount = Decimal(self.rng.randint(m.low * 100, m.high * 100)) * _CENT
            if not self._near_charge(m, amount, when):
                return amount
        raise RuntimeError("could not draw a unique receipt amount")  # pragma: no cover

    def _near_charge(self, m: C.Merchant, amount: Decimal, when: datetime) -> bool:
        guard = timedelta(days=_DUP_GUARD_DAYS)
        return any(abs(d - when) <= guard for d in self.charges.get((m.domain, amount), ()))

    def _order_id(self, m: C.Merchant) -> str:
        r = self.rng
        if m.domain == "shopwise.com":
            return f"112-{r.randint(10**6, 10**7 - 1)}-{r.randint(10**6, 10**7 - 1)}"
        return f"{m.name[:2].upper()}{r.randint(10**7, 10**8 - 1)}"

    def receipt(
        self,
        m: C.Merchant | None = None,
        *,
        when: datetime | None = None,
        amount: Decimal | None = None,
        order_id: str | None = None,
        kind: str = "charge",
        resent: bool = False,
        big: bool = False,
    ) -> DemoMessage:
        rng = self.rng
        m = m or rng.choice(C.MERCHANTS)
        when = when or self.ago(0, HISTORY_DAYS)
        if amount is None:
            amount = Decimal(rng.randint(1000 * 100, 1500 * 100)) * _CENT if big else self._amount(m, when)
        order_id = order_id or self._order_id(m)
        fmt = lambda a: format_amount(a, m.style)  # noqa: E731
        total = -amount if kind == "refund" else amount
        item = rng.choice(C.ITEMS)
        if kind == "refund":
            subject = f"Refund processed for order {order_id}"
            lines = [
                f"Hi {self.first},",
                "",
                f"We've refunded {fmt(amount)} to your original payment method for order {order_id}.",
                f"Item: {item}",
                f"Refund total: {fmt(amount)}",
                "",
                f"— {m.name}",
            ]
        else:
            tax = (amount * Decimal("0.07")).quantize(_CENT)
            shipping = Decimal("4.99") if amount > tax + Decimal("10") and rng.random() < 0.5 else Decimal("0")
            subtotal = amount - tax - shipping
            subject = rng.choice(
                (
                    f"Your {m.name} order {order_id} receipt",
                    f"Receipt for order {order_id}",
                    f"Your {m.name} receipt ({order_id})",
                    f"Order confirmation: {order_id}",
                )
            )
            if resent:
                subject = f"(Resent) {subject}"
            lines = [
                f"Hi {self.first},",
                "",
                f"Thanks for your order! Order number: {order_id}",
                f"Order date: {when:%d %b %Y}",
                "",
                f"{item}  {fmt(subtotal)}",
                f"Subtotal: {fmt(subtotal)}",
            ]
            if shipping:
                lines.append(f"Shipping: {fmt(shipping)}")
            lines.append(f"Tax: {fmt(tax)}")
            if rng.random() < 0.3:
                lines.append(f"You saved {fmt(Decimal(rng.randint(100, 900)) * _CENT)} on this order")
            lines += [f"Total: {fmt(amount)}", "", f"— {m.name}"]
        text = "\n".join(lines)
        html = None
        if m.json_ld or rng.random() < 0.5:
            ld = ""
            if m.json_ld:
                ld = (
                    '<script type="application/ld+json">'
                    + json.dumps(
                        {
                            "@context": "https://schema.org",
                            "@type": "Order",
                            "orderNumber": order_id,
                            "merchant": {"@type": "Organization", "name": m.name},
                            "price": str(total),
                            "priceCurrency": m.currency,
                            "orderDate": iso(when),
                            "orderStatus": "https://schema.org/OrderReturned"
                            if kind == "refund"
                            else "https://schema.org/OrderProcessing",
                        },
                        ensure_ascii=False,
                    )
                    + "</script>"
                )
            rows = "".join(f"<p>{line}</p>" for line in lines if line)
            html = f"<html><head>{ld}</head><body><h2>{m.name}</h2>{rows}</body></html>"
        charset, transfer = (m.charset, "8bit") if m.charset != "utf-8" else ("utf-8", None)
        msg = self.emit(
            kind=f"receipt.{kind}" + (".resent" if resent else ""),
            category="finance",
            sender=(m.name, m.sender),
            subject=subject,
            when=when,
            text=text,
            html=html,
            charset=charset,
            transfer=transfer,
        )
        if kind == "charge" and not resent:
            self.charges.setdefault((m.domain, amount), []).append(when)
        self.truth.receipts.append(
            {
                "email_id": msg.email_id,
                "user_id": self.user,
                "merchant": m.domain,
                "merchant_name": m.name,
                "amount": str(total),
                "currency": m.currency,
                "order_id": order_id,
                "date": iso(when),
                "kind": kind,
                "amount_text": fmt(amount),
                "json_ld": m.json_ld,
                "resent": resent,
            }
        )
        return msg

    def duplicate_charge(self) -> list[DemoMessage]:
        m = self.rng.choice(C.MERCHANTS)
        first_at = self.ago(10, HISTORY_DAYS)
        amount = self._amount(m, first_at)
        gap = timedelta(seconds=self.rng.randint(3600, 5 * 86400))
        a = self.receipt(m, when=first_at, amount=amount)
        b = self.receipt(m, when=first_at + gap, amount=amount)
        self.truth.duplicate_charges.append(
            {
                "user_id": self.user,
                "merchant": m.domain,
                "amount": str(amount),
                "currency": m.currency,
                "earlier": a.email_id,
                "later": b.email_id,
                "days_apart": gap.days,
            }
        )
        return [a, b]

    def resent_receipt(self) -> list[DemoMessage]:
        m = self.rng.choice(C.MERCHANTS)
        when = self.ago(10, HISTORY_DAYS)
        a = self.receipt(m, when=when)
        order_id = self.truth.receipts[-1]["order_id"]
        amount = Decimal(self.truth.receipts[-1]["amount"])
        b = self.receipt(
            m,
            when=when + timedelta(seconds=self.rng.randint(600, 2 * 86400)),
            amount=amount,
            order_id=order_id,
            resent=True,
        )
        self.truth.resent_receipts.append(
            {
                "user_id": self.user,
                "merchant": m.domain,
                "order_id": order_id,
                "original": a.email_id,
                "resent": b.email_id,
            }
        )
        return [a, b]

    def refund(self) -> list[DemoMessage]:
        m = self.rng.choice(C.MERCHANTS)
        when = self.ago(10, HISTORY_DAYS)
        a = self.receipt(m, when=when)
        original = self.truth.receipts[-1]
        b = self.receipt(
            m,
            when=when + timedelta(days=self.rng.randint(2, 9)),
            amount=Decimal(original["amount"]),
            order_id=original["order_id"],
            kind="refund",
        )
        return [a, b]

    # -- everything else -------------------------------------------------------------------------
    def event(self) -> DemoMessage:
        platform, sender, subject_t, group_t = self.rng.choice(C.EVENTS)
        city = self.rng.choice(C.CITIES)
        group = group_t.format(city=city)
        when = self.ago(0, HISTORY_DAYS)
        day = when + timedelta(days=self.rng.randint(3, 30))
        subject = subject_t.format(group=group, day=f"{day:%a %d %b}")
        text = (
            f"Hi {self.first},\n\nYou're going to {group} on {day:%A %d %B at 18:30}.\n"
            f"Venue: Community Hall, {city}\nAgenda: two talks, lightning talks and drinks.\n\n"
            f"Add it to your calendar. See you there!\n{platform}"
        )
        html = "<html><body>" + "".join(f"<p>{p}</p>" for p in text.split("\n")) + "</body></html>"
        return self.emit(
            kind="event",
            category="event",
            sender=(platform, sender),
            subject=subject,
            when=when,
            text=None if self.rng.random() < 0.5 else text,
            html=html,
        )

    def newsletter(self) -> DemoMessage:
        name, domain, list_id = self.rng.choice(C.NEWSLETTERS)
        issue = self.rng.randint(40, 400)
        heads = self.rng.sample(C.HEADLINES, 3)
        subject = f"{name} #{issue}: {heads[0]}"
        text = (
            f"{name}, issue {issue}\n\n"
            + "\n".join(f"* {h}" for h in heads)
            + f"\n\nYou receive this newsletter because you signed up at {domain}. Unsubscribe any time."
        )
        html = "<html><body>" + f"<h1>{name}</h1><ul>" + "".join(f"<li>{h}</li>" for h in heads) + "</ul></body></html>"
        return self.emit(
            kind="newsletter",
            category="updates",
            sender=(name, f"newsletter@{domain}"),
            subject=subject,
            when=self.ago(0, HISTORY_DAYS),
            text=text,
            html=html,
            list_id=list_id,
        )

    def promo(self) -> DemoMessage:
        name, sender, list_id = self.rng.choice(C.PROMO_SENDERS)
        subject_t, body_t = self.rng.choice(C.PROMOS)
        pct = self.rng.choice((15, 20, 25, 30, 40, 50))
        subject, body = subject_t.format(pct=pct), body_t.format(pct=pct)
        html = (
            f"<html><head><style>.x{{color:red}}</style></head><body><h1>{name}</h1><p>{body}</p>"
            f"<p><a href='https://{sender.split('@')[1]}/u'>Unsubscribe</a></p></body></html>"
        )
        return self.emit(
            kind="promo",
            category="promo",
            sender=(name, sender),
            subject=subject,
            when=self.ago(0, HISTORY_DAYS),
            text=None,
            html=html,
            list_id=list_id,
        )

    def social(self) -> DemoMessage:
        name = " ".join(self.person())
        subject = self.rng.choice(C.SOCIAL).format(name=name)
        text = f"{subject}.\n\nSee the activity on LinkedIn.\n\nYou are receiving LinkedIn notification emails."
        return self.emit(
            kind="social",
            category="social",
            sender=("LinkedIn", "notifications-noreply@linkedin.com"),
            subject=subject,
            when=self.ago(0, HISTORY_DAYS),
            text=text,
        )

    def personal(self) -> DemoMessage:
        first, last = self.person()
        subject, body = self.rng.choice(C.PERSONAL)
        addr = f"{first.lower()}.{last.lower().replace('ü', 'ue')}@gmail.com"
        return self.emit(
            kind="personal",
            category="personal",
            sender=(f"{first} {last}", addr),
            subject=subject,
            when=self.ago(0, HISTORY_DAYS),
            text=f"{body}\n\n{first}",
            transfer="8bit",
        )

    def forum(self) -> DemoMessage:
        group_t, subject, body = self.rng.choice(C.FORUMS)
        group = group_t.format(city=self.rng.choice(C.CITIES).lower())
        first, last = self.person()
        thread = self.thread()
        if not thread.thrid:  # forums is only ever known from Gmail's label
            thread.thrid = str(self.rng.getrandbits(62) | (1 << 60))
        return self.emit(
            kind="forum",
            category="forums",
            sender=(f"{first} {last}", f"{first.lower()}@gmail.com"),
            subject=subject,
            when=self.ago(0, HISTORY_DAYS),
            text=body,
            thread=thread,
            list_id=f"{group}.googlegroups.com",
        )

    # -- the mailbox -----------------------------------------------------------------------------
    def scenarios(self, budget: int) -> Iterator[DemoMessage]:
        """Coverage first (every stage, system, currency format, duplicate, resend, refund), then weighted fill."""
        coverage: list[tuple[int, object]] = []
        for i, outcome in enumerate(C.OUTCOMES):
            system = C.SYSTEMS[i % len(C.SYSTEMS)]
            coverage.append((len(C.OUTCOMES[outcome]), lambda o=outcome, s=system: self.application(o, s)))
        for m in C.MERCHANTS:
            coverage.append((1, lambda m=m: [self.receipt(m)]))
        coverage += [
            (1, lambda: [self.receipt(C.MERCHANTS[0], big=True)]),
            (1, lambda: [self.receipt(C.MERCHANTS[2], big=True)]),
            (2, self.duplicate_charge),
            (2, self.resent_receipt),
            (2, self.refund),
        ]
        coverage += [
            (1, lambda f=f: [f()])
            for f in (self.event, self.event, self.newsletter, self.promo, self.social, self.personal, self.forum)
        ]
        remaining = budget
        for size, make in coverage:
            if size <= remaining:
                for msg in make():  # type: ignore[operator]
                    yield msg
                remaining -= size
        kinds, weights = list(_WEIGHTS), list(_WEIGHTS.values())
        singles = {
            "event": self.event,
            "newsletter": self.newsletter,
            "promo": self.promo,
            "social": self.social,
            "personal": self.personal,
            "forum": self.forum,
        }
        while remaining > 0:
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "application":
                outcome = self.rng.choice(list(C.OUTCOMES))
                if len(C.OUTCOMES[outcome]) > remaining:
                    continue
                batch = self.application(outcome, self.rng.choice(C.SYSTEMS))
            elif kind == "receipt":
                roll = self.rng.random()
                if roll < 0.06 and remaining >= 2:
                    batch = self.duplicate_charge()
                elif roll < 0.12 and remaining >= 2:
                    batch = self.resent_receipt()
                elif roll < 0.16 and remaining >= 2:
                    batch = self.refund()
                else:
                    batch = [self.receipt()]
            else:
                batch = [singles[kind]()]
            yield from batch
            remaining -= len(batch)


def iter_demo_messages(
    truth: GroundTruth,
    *,
    gmail_labels: float = 0.5,
) -> Iterator[DemoMessage]:
    """Generate the mailbox described by ``truth``'s seed/now/users/messages_per_user, filling ``truth``.

    Exactly ``messages_per_user`` messages per user, user by user. ``gmail_labels`` is the
    share of conversations exported the Takeout way (X-Gmail-Labels, X-GM-THRID); the rest
    carry no labels, so their category comes from the rules.
    """
    for user in truth.users:
        rng = random.Random(f"applylens-demo:{truth.seed}:{user}")
        first = user.split("@", 1)[0].split(".")[0].capitalize()
        yield from _User(user, first, rng, truth.now, truth, gmail_labels).scenarios(truth.messages_per_user)


@dataclass
class DemoMailbox:
    messages: list[DemoMessage]
    truth: GroundTruth


def new_truth(
    *,
    seed: int = DEFAULT_SEED,
    now: datetime = DEFAULT_NOW,
    users: tuple[str, ...] | list[str] = DEFAULT_USERS,
    messages_per_user: int = 200,
) -> GroundTruth:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if messages_per_user < 0:
        raise ValueError(f"messages_per_user must be >= 0, got {messages_per_user}")
    return GroundTruth(seed=seed, now=now.astimezone(UTC), messages_per_user=messages_per_user, users=list(users))


def generate_demo(
    *,
    seed: int = DEFAULT_SEED,
    now: datetime = DEFAULT_NOW,
    users: tuple[str, ...] | list[str] = DEFAULT_USERS,
    messages_per_user: int = 200,
    gmail_labels: float = 0.5,
) -> DemoMailbox:
    """The whole demo mailbox in memory (for tests and small demos; use :func:`write_demo` for big ones)."""
    truth = new_truth(seed=seed, now=now, users=users, messages_per_user=messages_per_user)
    return DemoMailbox(list(iter_demo_messages(truth, gmail_labels=gmail_labels)), truth)


@dataclass
class DemoFiles:
    root: Path
    truth_path: Path
    mboxes: dict[str, Path] = field(default_factory=dict)  # user -> mbox file
    eml_dirs: dict[str, Path] = field(default_factory=dict)  # user -> folder of .eml files
    count: int = 0


def write_demo(
    out_dir: str | Path,
    *,
    fmt: str = "mbox",
    seed: int = DEFAULT_SEED,
    now: datetime = DEFAULT_NOW,
    users: tuple[str, ...] | list[str] = DEFAULT_USERS,
    messages_per_user: int = 200,
    gmail_labels: float = 0.5,
) -> DemoFiles:
    """Write ``<out>/<user>/All mail Including Spam and Trash.mbox`` (``fmt="mbox"``), ``<out>/<user>/eml/<id>.eml``
    (``"eml"``) or both (``"both"``), and ``<out>/ground_truth.json``. Streams: memory stays flat at any size."""
    if fmt not in ("mbox", "eml", "both"):
        raise ValueError(f"fmt must be 'mbox', 'eml' or 'both', got {fmt!r}")
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    truth = new_truth(seed=seed, now=now, users=users, messages_per_user=messages_per_user)
    files = DemoFiles(root=root, truth_path=root / "ground_truth.json")
    handle = None
    current = None
    try:
        for msg in iter_demo_messages(truth, gmail_labels=gmail_labels):
            user_dir = root / msg.user_id
            if msg.user_id != current:
                current = msg.user_id
                user_dir.mkdir(parents=True, exist_ok=True)
                if handle:
                    handle.close()
                    handle = None
                if fmt in ("mbox", "both"):
                    files.mboxes[msg.user_id] = user_dir / MBOX_NAME
                    handle = open(files.mboxes[msg.user_id], "wb")  # noqa: SIM115
                if fmt in ("eml", "both"):
                    files.eml_dirs[msg.user_id] = user_dir / "eml"
                    files.eml_dirs[msg.user_id].mkdir(exist_ok=True)
            if handle:
                handle.write(mbox_entry(msg.raw, msg.envelope_sender, msg.received_at))
            if fmt in ("eml", "both"):
                (files.eml_dirs[msg.user_id] / f"{msg.email_id}.eml").write_bytes(msg.raw)
            files.count += 1
    finally:
        if handle:
            handle.close()
    truth.write(files.truth_path)
    return files
