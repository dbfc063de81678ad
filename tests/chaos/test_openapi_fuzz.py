"""Schemathesis against each HTTP service's own OpenAPI document: no 5xx, no response outside its schema.

Each app is built exactly as it is served (``<package>.bootstrap.build_app(settings,
consume=False, serve_api=True)``) and driven in-process over ASGI, lifespan included,
against a database (and the PostgreSQL emails index) seeded for the caller: learned
weights, policy stats, receipts and mail, so the responses carry real rows. Requests are
generated from the schema (valid and invalid inputs) and carry a verified JWT for one
user. Checks: ``not_a_server_error``, ``response_schema_conformance``,
``content_type_conformance``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest
import schemathesis
from applylens_contracts.email import EmailDocument
from applylens_local import infra
from chaos_harness import make_stream
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

pytestmark = pytest.mark.chaos

USER = "user01@chaos.example"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# derandomize: the same inputs every run (no flakiness); database=None: no .hypothesis/ folder in the repo.
FUZZ = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _mail(now: datetime) -> list[EmailDocument]:
    rows = [
        ("r1", "Your Amazon.com order receipt", "Order total: $1,234.56\nThanks", "auto-confirm@email.amazon.com",
         "finance"),
        ("r2", "Your Amazon.com order receipt", "Order total: $1,234.56", "auto-confirm@email.amazon.com", "finance"),
        ("r3", "Rechnung Nr. 7", "Gesamtbetrag 1.234,56 €", "billing@zalando.de", "finance"),
        ("r4", "Payment received", "We received £12 from you", "service@paypal.co.uk", None),
        ("j1", "Interview invitation: onsite at Acme", "Let's schedule your onsite interview", "jobs@greenhouse.io",
         "recruiting"),
        ("j2", "Offer letter", "We are happy to extend an offer", "talent@acme.io", "recruiting"),
        ("n1", "Python meetup this week", "Join the networking event and conference", "events@meetup.com",
         "newsletter"),
        ("p1", "50% off spa days", "=HYPERLINK(\"http://evil\")", "deals@groupon.com", "promo"),
    ]
    return [
        EmailDocument(id=f"m-{doc_id}", user_id=USER, thread_id=f"t-{doc_id}", subject=subject, body_text=body,
                      **{"from": sender}, sender_domain=sender.split("@", 1)[1], received_at=now - timedelta(days=i),
                      category=category, labels=["INBOX"])
        for i, (doc_id, subject, body, sender, category) in enumerate(rows)
    ]


async def _seed(database_url: str) -> None:
    """What the consumers and importers would have written for USER (and another user)."""
    from applylens_index import open_index
    from applylens_learner import migrations as learner_migrations
    from applylens_learner.adapters import PostgresWeights
    from applylens_learner.service_layer import ApplyDecisions
    from applylens_money.bootstrap import extract_imported
    from applylens_money.settings import MoneySettings
    from applylens_platform import db
    from applylens_policy import migrations as policy_migrations
    from applylens_policy.adapters.postgres import PostgresPolicyStats
    from applylens_policy.service_layer import handlers

    await asyncio.to_thread(learner_migrations.upgrade, database_url)
    await asyncio.to_thread(policy_migrations.upgrade, database_url)
    events = make_stream(1107, 600, n_users=3)  # users user00, user01 and user02
    pool = await db.create_pool(database_url, max_size=2)
    try:
        await ApplyDecisions(PostgresWeights(pool))(events)
        await handlers.apply_events(PostgresPolicyStats(pool), events, window_days=30)
    finally:
        await pool.close()
    index = await open_index(database_url=database_url)
    try:
        await index.ensure()
        docs = _mail(datetime.now(timezone.utc))
        await index.upsert(docs)
        report = await extract_imported(index, docs, MoneySettings(database_url=database_url, elasticsearch_url=None))
    finally:
        await index.close()
    conn = await asyncpg.connect(database_url)
    try:  # the fuzzed APIs answer over real rows, not empty tables
        assert await conn.fetchval("SELECT count(*) FROM user_weights WHERE user_id = $1", USER) > 0
        assert await conn.fetchval("SELECT count(*) FROM policy_stats WHERE user_id = $1", USER) > 0
    finally:
        await conn.close()
    assert report, report


@pytest.fixture(scope="module")
def api_database(pg_server_dsn: str) -> Iterator[str]:
    name = f"applylens_fuzz_{uuid.uuid4().hex[:10]}"
    dsn = asyncio.run(infra.create_database(pg_server_dsn, name))
    try:
        asyncio.run(_seed(dsn))
        yield dsn
    finally:
        asyncio.run(infra.drop_database(pg_server_dsn, name))


@pytest.fixture(scope="module")
def auth(token_for) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {token_for(USER)}"}


def fuzz(app, auth: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Run every operation of the app's OpenAPI document with valid and invalid generated inputs.

    Returns one line per (operation, mode) that failed a check (all operations always run).
    """
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # Fuzz the running service: its lifespan starts with the first request; wait until it is ready.
    readyz = schema["/readyz"]["GET"]
    deadline = time.monotonic() + 60
    while (status := readyz.Case().call().status_code) != 200:
        assert time.monotonic() < deadline, f"/readyz answered {status} for 60s"
        time.sleep(0.2)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):  # type: ignore[no-untyped-def]
                case.call_and_validate(headers=dict(auth), checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode is GenerationMode.NEGATIVE, operation.path
            except (Exception, BaseExceptionGroup) as exc:  # a check failed (hypothesis shrank it to a minimal case)
                failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: {exc}")
    assert operations > 0
    return failures


def _common(api_database: str, jwt_secret: str) -> dict[str, object]:
    return {
        "database_url": api_database,
        "jwt_secret": jwt_secret,
        "elasticsearch_url": None,
        "kafka_bootstrap_servers": "127.0.0.1:9",  # consume=False: never contacted
        "log_json": False,
        "log_level": "WARNING",
    }


def test_learner_api(api_database, jwt_secret, auth):  # type: ignore[no-untyped-def]
    from applylens_learner.bootstrap import build_app
    from applylens_learner.settings import LearnerSettings

    app = build_app(LearnerSettings(**_common(api_database, jwt_secret)), consume=False, serve_api=True)
    failures = fuzz(app, auth)
    assert not failures, "\n\n".join(failures)


def test_policy_api(api_database, jwt_secret, auth):  # type: ignore[no-untyped-def]
    from applylens_policy.bootstrap import build_app
    from applylens_policy.settings import PolicySettings

    app = build_app(PolicySettings(**_common(api_database, jwt_secret)), consume=False, serve_api=True)
    failures = fuzz(app, auth)
    assert not failures, "\n\n".join(failures)


def test_money_api(api_database, jwt_secret, auth):  # type: ignore[no-untyped-def]
    from applylens_money.bootstrap import build_app
    from applylens_money.settings import MoneySettings

    app = build_app(MoneySettings(**_common(api_database, jwt_secret)), consume=False, serve_api=True)
    failures = fuzz(app, auth)
    assert not failures, "\n\n".join(failures)


def test_rag_api(api_database, jwt_secret, auth):  # type: ignore[no-untyped-def]
    from applylens_rag.bootstrap import build_app
    from applylens_rag.settings import RagSettings

    settings_ = RagSettings(**_common(api_database, jwt_secret), rag_heartbeat_seconds=1.0)
    failures = fuzz(build_app(settings_, consume=False, serve_api=True), auth)
    assert not failures, "\n\n".join(failures)
