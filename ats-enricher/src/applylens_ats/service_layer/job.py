"""The 02:00 job: incremental, resumable, bounded-memory enrichment of every known mailbox.

Plan (made once per run, stored in ``ats_run_mailboxes``, so a resumed run follows the same one):

- **full pass** for every mailbox whose warehouse applications changed since the last
  successful run — rows with ``synced_at`` (greatest ``_fivetran_synced`` behind a view
  row) in ``(previous synced_to, this synced_to]``, plus rows Fivetran soft-deleted in
  that window — and for everything on the first run: all its emails are matched again,
  emails whose application vanished lose their ``ats.*``;
- **incremental pass** for every other mailbox (the warehouse's candidates and the
  mailboxes the consumer has seen): only (a) mail received since the previous run
  started (minus ``ATS_NEW_MAIL_LOOKBACK_HOURS``: the consumer normally did it already)
  and (b) the daily risk refresh.

**Daily risk refresh.** ``ghosting_risk`` depends on the clock, so a quiet application
gets riskier every day without any row changing. Every run therefore re-evaluates the
emails that carry a non-terminal ``ats.stage`` (``exists ats AND NOT stage in
(Hired, Rejected, Withdrawn)``): a terminal stage's risk is 0 forever, and only
active applications' emails are read. The risk is rounded to ``ATS_RISK_DECIMALS``
and a document is rewritten only when a value moved.

**Resumable.** A run that did not finish stays ``running``; the next ``run`` resumes it
with the same ``as_of`` (the risk clock), the same warehouse window and the same plan,
skipping the mailboxes already done. Writes are idempotent (set, not add), so redoing
the interrupted mailbox and rerunning give the same final state as one clean run.

**Bounded memory.** Mailboxes come from the plan table in keyset pages, emails from the
index in ``ATS_BATCH_SIZE`` pages, writes leave in batches of the same size; what is held
per mailbox is its applications and its inferred ATS notifications.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from applylens_index.contract import EmailIndex
from applylens_index.query import EmailQuery, Exists, Not, Sort, received_between, terms

from applylens_ats.adapters.state import PlannedMailbox, PostgresState, Run
from applylens_ats.adapters.warehouse import PostgresWarehouse

from .enrich import TERMINAL_STAGE_NAMES, AtsWriter, MailboxEnricher

log = logging.getLogger(__name__)


@dataclass
class JobOptions:
    batch_size: int = 1000
    threshold: float = 0.6
    risk_decimals: int = 3
    new_mail_lookback: timedelta = timedelta(hours=48)


@dataclass
class JobReport:
    run_id: int
    resumed: bool
    as_of: datetime
    mailboxes: int  # visited in this attempt
    full_passes: int
    emails_considered: int
    written: int  # documents written in this attempt
    written_total: int  # over every attempt of the run
    seconds: float


class Progress:
    """What the job tells its caller as it goes (the CLI draws a rich progress bar from it)."""

    def planned(self, total: int, done: int) -> None: ...
    def mailbox_done(self, user_id: str, written: int) -> None: ...
    def emails(self, count: int) -> None: ...


async def _plan(run: Run, state: PostgresState, warehouse: PostgresWarehouse | None, first: bool) -> None:
    if warehouse is not None:
        async for users in warehouse.changed_users(run.synced_from, run.synced_to):
            await state.plan(run.run_id, users, full_pass=True)
        async for users in warehouse.users():
            await state.plan(run.run_id, users, full_pass=first)
    async for users in state.mailboxes():
        await state.plan(run.run_id, users, full_pass=first)
    await state.mark_planned(run.run_id)


async def start_or_resume(
    state: PostgresState,
    warehouse: PostgresWarehouse | None,
    *,
    as_of: datetime | None,
    lookback: timedelta,
) -> tuple[Run, bool]:
    run = await state.resume_running()
    resumed = run is not None
    if run is None:
        last = await state.last_success()
        synced_to = await warehouse.now() if warehouse is not None else datetime.now(timezone.utc)
        run = await state.start_run(
            as_of=as_of or datetime.now(timezone.utc),
            synced_from=last.synced_to if last else None,
            synced_to=synced_to,
            new_mail_since=(last.started_at - lookback) if last else None,
        )
    if not run.planned:
        await _plan(run, state, warehouse, first=run.synced_from is None)
    return run, resumed


async def run_job(
    *,
    index: EmailIndex,
    state: PostgresState,
    warehouse: PostgresWarehouse | None,
    options: JobOptions,
    as_of: datetime | None = None,
    progress: Progress | None = None,
    after_flush: Callable[[int], Awaitable[None]] | None = None,
) -> JobReport:
    """One run of the job (or the rest of an interrupted one); see the module docstring.

    ``as_of`` fixes the risk clock of a new run (default: now); a resumed run keeps its own.
    Raises whatever stopped it; the run then stays resumable.
    """
    started = time.perf_counter()
    progress = progress or Progress()
    run, resumed = await start_or_resume(state, warehouse, as_of=as_of, lookback=options.new_mail_lookback)
    total, done = await state.plan_size(run.run_id)
    progress.planned(total, done)
    log.info("ats run %d %s: %d mailboxes planned, %d already done, as of %s",
             run.run_id, "resumed" if resumed else "started", total, done, run.as_of.isoformat())
    report = JobReport(run.run_id, resumed, run.as_of, 0, 0, 0, 0, 0, 0.0)
    try:
        async for planned in state.pending(run.run_id):
            written, considered = await enrich_mailbox(
                planned, run=run, index=index, warehouse=warehouse, options=options,
                after_flush=after_flush, progress=progress,
            )
            await state.mark_done(run.run_id, planned.user_id, written)
            report.mailboxes += 1
            report.full_passes += planned.full_pass
            report.written += written
            report.emails_considered += considered
            progress.mailbox_done(planned.user_id, written)
    except BaseException as exc:
        await state.record_error(run.run_id, f"{type(exc).__name__}: {exc}")
        raise
    report.written_total = await state.finish(run.run_id, status="succeeded")
    report.seconds = time.perf_counter() - started
    log.info("ats run %d succeeded: %d mailboxes, %d emails considered, %d documents written in %.1fs",
             run.run_id, report.mailboxes, report.emails_considered, report.written, report.seconds)
    return report


async def enrich_mailbox(
    planned: PlannedMailbox,
    *,
    run: Run,
    index: EmailIndex,
    warehouse: PostgresWarehouse | None,
    options: JobOptions,
    after_flush: Callable[[int], Awaitable[None]] | None = None,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Enrich one planned mailbox; returns (documents written, emails considered)."""
    user = planned.user_id
    applications = (await warehouse.applications_for([user])).get(user.lower(), []) if warehouse else []
    writer = AtsWriter(index, user, options.batch_size, after_flush)
    enricher = MailboxEnricher(user_id=user, applications=applications, as_of=run.as_of, writer=writer,
                               threshold=options.threshold, risk_decimals=options.risk_decimals)
    size = options.batch_size
    full = planned.full_pass or run.new_mail_since is None

    async def consider(query: EmailQuery, skip: set[str] | None = None, remember: set[str] | None = None) -> None:
        count = 0
        async for doc in index.stream(query, batch_size=size):
            if skip is not None and doc.id in skip:
                continue
            if remember is not None:
                remember.add(doc.id)
            await enricher.consider(doc)
            count += 1
            if progress is not None and count % size == 0:
                progress.emails(size)
        if progress is not None:
            progress.emails(count % size)

    if full:
        await consider(EmailQuery(user_id=user, sort=Sort.NEWEST))
    else:
        assert run.new_mail_since is not None
        fresh: set[str] = set()
        await consider(
            EmailQuery(user_id=user, sort=Sort.NEWEST, filters=(received_between(start=run.new_mail_since),)),
            remember=fresh,
        )
        active = EmailQuery(
            user_id=user, sort=Sort.NEWEST,
            filters=(Exists(field="ats"), Not(clause=terms("ats.stage", *TERMINAL_STAGE_NAMES))),
        )
        await consider(active, skip=fresh)
    await enricher.finish(include_indexed=not full)
    await writer.flush()
    return writer.written, enricher.considered
