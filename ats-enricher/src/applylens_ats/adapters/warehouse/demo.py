"""Fill the Fivetran-shaped warehouse from the demo mailbox's ground truth (local/dev, tests, bench).

Every application of ``ground_truth.json`` (``applylens_index.ingest.demo``) becomes the
rows its ATS would have synced: Greenhouse (candidate, email_address, job, job_stage,
application, job_application, application_history, scheduled_interview), Lever
(contact_email, posting, stage, archive_reason, opportunity, application,
opportunity_stage_history, interview, offer), Workday as ``external_application``, and
the employer of each job in ``job_company``. ``direct`` applications (a recruiter
writing from the company's own domain, no ATS) have no warehouse rows: the enricher
infers them from the emails, as it would in real life.

Ids are the truth's own (``application_id``, ``job_id``), so a test can compare the
enricher's ``ats.application_id`` with the ground truth directly. Idempotent: re-loading
the same truth changes nothing (ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg

from .ddl import DEFAULT_ATS_SCHEMA, DEFAULT_GREENHOUSE_SCHEMA, DEFAULT_LEVER_SCHEMA, _checked

# Demo stage -> (Greenhouse job stage name, Lever stage id, Lever stage text). Names as those ATSs spell them.
GREENHOUSE_STAGES = {
    "Applied": "Application Review",
    "Recruiter Screen": "Preliminary Phone Screen",
    "Phone Screen": "Phone Interview",
    "Onsite": "Face to Face",
    "Offer": "Offer",
}
LEVER_STAGES = {
    "Applied": ("applicant-new", "New applicant"),
    "Recruiter Screen": ("recruiter-screen", "Recruiter screen"),
    "Phone Screen": ("phone-screen", "Phone screen"),
    "Onsite": ("on-site-interview", "On-site interview"),
    "Offer": ("offer", "Offer"),
}
LEVER_REJECT_REASON = ("underqualified", "Underqualified")
TERMINAL = {"Rejected"}


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _stable_int(text: str, digits: int = 9) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") % (10**digits)


@dataclass
class _Rows:
    tables: dict[str, list[tuple]] = field(default_factory=dict)

    def add(self, table: str, row: tuple) -> None:
        self.tables.setdefault(table, []).append(row)


_COLUMNS: dict[str, str] = {
    "gh.candidate": "id, first_name, last_name, created_at, updated_at",
    "gh.email_address": "candidate_id, index, type, value",
    "gh.job": "id, name, status, created_at",
    "gh.job_stage": "id, job_id, name",
    "gh.application": "id, candidate_id, applied_at, rejected_at, last_activity_at, status, current_stage_id, prospect",
    "gh.job_application": "application_id, job_id",
    "gh.application_history": "application_id, updated_at, new_stage_id, new_status",
    "gh.scheduled_interview": "id, application_id, start_time, end_time, status",
    "lv.contact_email": "contact_id, email",
    "lv.stage": "id, text",
    "lv.archive_reason": "id, text",
    "lv.posting": "id, text, state, created_at",
    "lv.opportunity": "id, contact, name, origin, stage_id, archived_at, archived_reason_id, last_advanced_at, "
                      "last_interaction_at, created_at, is_anonymized",
    "lv.application": "id, opportunity_id, posting_id, type, created_at",
    "lv.opportunity_stage_history": "opportunity_id, updated_at, stage_id, to_stage_index",
    "lv.interview": "id, opportunity_id, stage_id, subject, date, duration",
    "lv.offer": "id, opportunity_id, status, created_at",
    "ats.job_company": "system, job_id, company, company_domain",
    "ats.external_application": "system, application_id, candidate_email, company, company_domain, job_title, "
                                "stage, last_stage_change, next_interview_at, last_interview_at, job_closed",
}


def warehouse_rows(applications: Iterable[Mapping[str, Any]], *, now: datetime | None = None) -> dict[str, list[tuple]]:
    """Rows per table (keys as in ``_COLUMNS``) for the truth's ``applications``.

    ``now`` splits Workday interviews into next/last as the view does for the others
    (default: the current time).
    """
    now = now or datetime.now(timezone.utc)
    rows = _Rows()
    seen_users: set[tuple[str, str]] = set()
    for stage, (lever_id, text) in LEVER_STAGES.items():
        rows.add("lv.stage", (lever_id, text))
    rows.add("lv.archive_reason", LEVER_REJECT_REASON)
    for app in applications:
        system, user = app["system"], app["user_id"].lower()
        history = [(h["stage"], _ts(h["at"])) for h in app["stage_history"]]
        interviews = [(i["stage"], _ts(i["scheduled_at"])) for i in app["interviews"]]
        applied_at = history[0][1]
        last_at = history[-1][1]
        rejected = history[-1][0] in TERMINAL
        active = [(s, t) for s, t in history if s not in TERMINAL]
        current = active[-1][0]
        if system == "greenhouse":
            candidate_id = _stable_int(f"gh-candidate:{user}")
            if ("gh", user) not in seen_users:
                seen_users.add(("gh", user))
                first = user.split("@")[0].split(".")[0].capitalize()
                rows.add("gh.candidate", (candidate_id, first, "Demo", applied_at, last_at))
                rows.add("gh.email_address", (candidate_id, 0, "personal", user))
            app_id, job_id = int(app["application_id"]), int(app["job_id"])
            rows.add("gh.job", (job_id, app["job_title"], "open", applied_at))
            stage_ids = {s: job_id * 10 + i for i, s in enumerate(GREENHOUSE_STAGES)}
            for stage, name in GREENHOUSE_STAGES.items():
                rows.add("gh.job_stage", (stage_ids[stage], job_id, name))
            rows.add("gh.application", (
                app_id, candidate_id, applied_at, last_at if rejected else None, last_at,
                "rejected" if rejected else "active", stage_ids[current], False,
            ))
            rows.add("gh.job_application", (app_id, job_id))
            for stage, at in history:
                if stage in TERMINAL:
                    rows.add("gh.application_history", (app_id, at, stage_ids[current], "rejected"))
                else:
                    rows.add("gh.application_history", (app_id, at, stage_ids[stage], "active"))
            for n, (stage, at) in enumerate(interviews):
                rows.add("gh.scheduled_interview", (
                    _stable_int(f"gh-interview:{app_id}:{n}", 12), app_id, at, at + timedelta(minutes=45),
                    "scheduled" if at > now else "awaiting_feedback",
                ))
            rows.add("ats.job_company", ("greenhouse", str(job_id), app["company"], app["company_domain"]))
        elif system == "lever":
            contact = f"contact-{_stable_int(f'lv-contact:{user}', 12):012d}"
            if ("lv", user) not in seen_users:
                seen_users.add(("lv", user))
                rows.add("lv.contact_email", (contact, user))
            opp, posting = app["application_id"], app["job_id"]
            rows.add("lv.posting", (posting, app["job_title"], "published", applied_at))
            advanced = active[-1][1]
            rows.add("lv.opportunity", (
                opp, contact, user.split("@")[0], "applied", LEVER_STAGES[current][0],
                last_at if rejected else None, LEVER_REJECT_REASON[0] if rejected else None,
                advanced, last_at, applied_at, False,
            ))
            rows.add("lv.application", (f"app-{opp}", opp, posting, "posting", applied_at))
            for index, (stage, at) in enumerate(active):
                rows.add("lv.opportunity_stage_history", (opp, at, LEVER_STAGES[stage][0], index))
            for n, (stage, at) in enumerate(interviews):
                rows.add("lv.interview", (
                    f"iv-{opp}-{n}", opp, LEVER_STAGES[stage][0], f"{stage} with {app['company']}", at, 45,
                ))
            if current == "Offer":
                rows.add("lv.offer", (f"offer-{opp}", opp, "sent", last_at))
            rows.add("ats.job_company", ("lever", posting, app["company"], app["company_domain"]))
        elif system == "workday":
            future = [t for _, t in interviews if t > now]
            past = [t for _, t in interviews if t <= now]
            rows.add("ats.external_application", (
                "workday", app["application_id"], user, app["company"], app["company_domain"], app["job_title"],
                history[-1][0], last_at, min(future) if future else None, max(past) if past else None, False,
            ))
        # "direct": no ATS, no warehouse rows (inferred from the emails).
    return rows.tables


def _table(key: str, gh: str, lv: str, ats: str) -> str:
    prefix, name = key.split(".", 1)
    schema = {"gh": gh, "lv": lv, "ats": ats}[prefix]
    return f"{schema}.{name}"


async def load_truth_into_warehouse(
    conn: asyncpg.Connection | asyncpg.Pool,
    truth: Mapping[str, Any],
    *,
    greenhouse_schema: str = DEFAULT_GREENHOUSE_SCHEMA,
    lever_schema: str = DEFAULT_LEVER_SCHEMA,
    ats_schema: str = DEFAULT_ATS_SCHEMA,
    now: datetime | None = None,
) -> dict[str, int]:
    """Insert the warehouse rows of ``truth["applications"]``; returns rows offered per table.

    The schemas must exist (``PostgresWarehouse.create_schemas``). One transaction.
    """
    gh = _checked("greenhouse", greenhouse_schema)
    lv = _checked("lever", lever_schema)
    ats = _checked("ats", ats_schema)
    tables = warehouse_rows(truth["applications"], now=now)
    counts: dict[str, int] = {}

    async def load(connection: asyncpg.Connection) -> None:
        async with connection.transaction():
            for key, columns in _COLUMNS.items():
                batch = tables.get(key, [])
                if not batch:
                    continue
                placeholders = ", ".join(f"${i}" for i in range(1, columns.count(",") + 2))
                await connection.executemany(
                    f"INSERT INTO {_table(key, gh, lv, ats)} ({columns}) VALUES ({placeholders}) "
                    "ON CONFLICT DO NOTHING",
                    batch,
                )
                counts[key] = len(batch)

    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as connection:
            await load(connection)
    else:
        await load(conn)
    return counts
