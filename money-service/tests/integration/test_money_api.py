"""money-service through the real PostgreSQL index engine, with the demo mailbox imported for two users.

Expected figures come from the generator's ground truth, never from our own code.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from applylens_contracts.email import EmailDocument
from applylens_index.ingest import batched, iter_parsed
from applylens_index.ingest.demo import load_truth, write_demo
from applylens_index.postgres import PostgresEmailIndex
from applylens_money import extract_imported
from applylens_money.bootstrap import build_app, runtime
from applylens_money.domain import RULES_VERSION
from applylens_money.service_layer.extraction import extract_pending
from applylens_money.settings import MoneySettings

pytestmark = pytest.mark.integration

ALICE, BOB = "alice@example.com", "bob@example.com"
EVIL_SUBJECT = '=HYPERLINK("http://evil.example/x","Click me") receipt'


def _evil_receipt() -> EmailDocument:
    return EmailDocument(
        id="evil-1",
        user_id=ALICE,
        message_id="<evil-1@shop.example>",
        **{"from": "Shop <orders@shop-evil.com>"},
        sender_domain="shop-evil.com",
        subject=EVIL_SUBJECT,
        body_text="Thanks for your order.\nTotal: $12.34\n",
        received_at=datetime(2026, 2, 10, 12, tzinfo=timezone.utc),
        category="finance",
    )


class World:
    truth: dict
    client: httpx.AsyncClient
    settings: MoneySettings
    index: PostgresEmailIndex
    reports: dict
    clients: dict


@pytest.fixture(scope="module")
async def world(database_url: str, jwt_secret: str, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("demo")
    files = write_demo(out, users=(ALICE, BOB), messages_per_user=200)
    w = World()
    w.truth = load_truth(files.truth_path)
    w.settings = MoneySettings(database_url=database_url, jwt_secret=jwt_secret)
    w.index = await PostgresEmailIndex.connect(database_url)
    await w.index.ensure()
    w.reports = {}
    # alice: the extract-on-import hook, called by the importer with the documents it wrote
    alice_docs = []
    for batch in batched(iter_parsed(Path(files.mboxes[ALICE]), ALICE), 100):
        docs = [r.doc for r in batch if r.ok]
        await w.index.upsert(docs)
        alice_docs += docs
    await w.index.upsert([_evil_receipt()])
    w.reports[ALICE] = await extract_imported(w.index, [*alice_docs, _evil_receipt()], w.settings)
    # bob: imported without the hook, then `applylens-money extract` (the same use case)
    for batch in batched(iter_parsed(Path(files.mboxes[BOB]), BOB), 100):
        await w.index.upsert([r.doc for r in batch if r.ok])
    async with runtime(w.settings, index=w.index) as rt:
        w.reports[BOB] = await extract_pending(rt.receipts, rt.ledger, BOB)
        w.reports["again"] = await extract_pending(rt.receipts, rt.ledger, BOB)
    app = build_app(w.settings, index=w.index)
    # the same service with CSV rows read from the index's stream instead of the receipts table
    via_index = build_app(w.settings.model_copy(update={"money_csv_source": "index"}), index=w.index)
    async with app.router.lifespan_context(app), via_index.router.lifespan_context(via_index):
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://money") as client,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=via_index), base_url="http://money") as client2,
        ):
            w.client = client
            w.clients = {"ledger": client, "index": client2}
            yield w
    await w.index.close()


def auth(token_for, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user)}"}


def truth_receipts(truth: dict, user: str) -> list[dict]:
    return [r for r in truth["receipts"] if r["user_id"] == user]


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- extraction -----------------------------------------------------------------------------------


async def test_extraction_runs_once_per_email(world):
    bob_mail = sum(1 for e in world.truth["emails"].values() if e["user_id"] == BOB)
    assert world.reports[BOB].scanned == bob_mail
    assert world.reports["again"].scanned == 0  # nothing pending: a second run touches nothing
    truth_ids = {r["email_id"] for r in truth_receipts(world.truth, BOB)}
    docs = await world.index.get(BOB, sorted(truth_ids))
    assert all(d.money and d.money.is_receipt and d.money.rules_version == RULES_VERSION for d in docs)


async def test_every_true_receipt_found_with_its_amount(world):
    for user in (ALICE, BOB):
        expected = {r["email_id"]: r for r in truth_receipts(world.truth, user)}
        docs = {d.id: d for d in await world.index.get(user, sorted(expected))}
        assert set(docs) == set(expected)
        for email_id, r in expected.items():
            money = docs[email_id].money
            assert (money.amount, money.currency) == (Decimal(r["amount"]), r["currency"]), (email_id, r)


# -- summary --------------------------------------------------------------------------------------


def expected_by_currency(truth: dict, user: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in truth_receipts(truth, user):
        if not r["resent"]:  # a re-sent receipt is the same charge: counted once
            totals[r["currency"]] += Decimal(r["amount"])
    return dict(totals)


async def test_summary_matches_ground_truth(world, token_for):
    resp = await world.client.get("/money/summary", headers=auth(token_for, BOB))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    expected = expected_by_currency(world.truth, BOB)
    assert {c: Decimal(v) for c, v in body["by_currency"].items()} == expected
    charges = [r for r in truth_receipts(world.truth, BOB) if not r["resent"]]
    assert body["count"] == len(charges)
    main = body["currency"]
    in_main = [Decimal(r["amount"]) for r in charges if r["currency"] == main]
    assert len(in_main) == max(sum(1 for r in charges if r["currency"] == c) for c in expected)
    assert Decimal(body["total_amount"]) == sum(in_main)
    assert Decimal(body["avg_amount"]) == (sum(in_main) / len(in_main)).quantize(Decimal("0.01"))
    assert sum(Decimal(v) for v in body["by_month"].values()) == sum(in_main)
    assert sum(Decimal(v) for v in body["by_merchant"].values()) == sum(in_main)
    assert all(isinstance(v, str) for v in body["by_currency"].values())  # amounts are decimal strings


async def test_resent_receipt_counted_once_in_summary(world, token_for):
    resent = [r for r in world.truth["resent_receipts"] if r["user_id"] == BOB]
    assert resent, "the demo mailbox should contain a re-sent receipt"
    all_receipts = truth_receipts(world.truth, BOB)
    body = (await world.client.get("/money/summary", headers=auth(token_for, BOB))).json()
    assert body["count"] == len(all_receipts) - len(resent)


# -- duplicates -----------------------------------------------------------------------------------


async def test_known_duplicates_found_and_resent_excluded(world, token_for):
    for user in (ALICE, BOB):
        resp = await world.client.get("/money/duplicates", params={"window_days": 7}, headers=auth(token_for, user))
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["window_days"] == 7 and body["count"] == len(body["duplicates"])
        found = {(d["earlier"]["id"], d["later"]["id"]) for d in body["duplicates"]}
        expected = {(d["earlier"], d["later"]) for d in world.truth["duplicate_charges"] if d["user_id"] == user}
        assert expected and found == expected
        for resent in (r for r in world.truth["resent_receipts"] if r["user_id"] == user):
            assert (resent["original"], resent["resent"]) not in found
        for d in body["duplicates"]:
            assert set(d) >= {"merchant", "amount", "currency", "earlier", "later", "days_apart"}
            assert set(d["earlier"]) == {"id", "subject", "date"} and isinstance(d["amount"], str)
            truth_pair = next(t for t in world.truth["duplicate_charges"] if t["earlier"] == d["earlier"]["id"])
            assert Decimal(d["amount"]) == Decimal(truth_pair["amount"]) and d["currency"] == truth_pair["currency"]
            # truth counts whole 24 h periods, we count UTC calendar days
            assert truth_pair["days_apart"] <= d["days_apart"] <= truth_pair["days_apart"] + 1


async def test_resent_receipt_is_not_a_duplicate_even_in_a_wide_window(world, token_for):
    body = (await world.client.get("/money/duplicates?window_days=365", headers=auth(token_for, BOB))).json()
    ids = {(d["earlier"]["id"], d["later"]["id"]) for d in body["duplicates"]}
    for resent in (r for r in world.truth["resent_receipts"] if r["user_id"] == BOB):
        assert (resent["original"], resent["resent"]) not in ids


# -- CSV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["ledger", "index"])
async def test_csv_export_lists_every_receipt(world, token_for, source):
    resp = await world.clients[source].get("/money/receipts.csv", headers=auth(token_for, BOB))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    today = datetime.now(timezone.utc).strftime("%Y%m%d")
    assert resp.headers["content-disposition"] == f'attachment; filename="receipts_{today}.csv"'
    assert resp.text.splitlines()[0] == "date,merchant,amount,email_id,subject,category,currency"
    rows = read_csv(resp.text)
    expected = {r["email_id"]: r for r in truth_receipts(world.truth, BOB)}
    assert {row["email_id"] for row in rows} == set(expected)
    for row in rows:
        assert Decimal(row["amount"]) == Decimal(expected[row["email_id"]]["amount"])
        assert row["currency"] == expected[row["email_id"]]["currency"]
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)


@pytest.mark.parametrize("source", ["ledger", "index"])
async def test_csv_formula_injection_is_neutralised(world, token_for, source):
    resp = await world.clients[source].get("/money/receipts.csv", headers=auth(token_for, ALICE))
    rows = {row["email_id"]: row for row in read_csv(resp.text)}
    assert rows["evil-1"]["subject"] == "'" + EVIL_SUBJECT
    assert rows["evil-1"]["amount"] == "12.34"
    assert not any(line.startswith("=") for line in resp.text.splitlines())


@pytest.mark.parametrize("source", ["ledger", "index"])
async def test_csv_filters(world, token_for, source):
    client = world.clients[source]
    expected = truth_receipts(world.truth, BOB)
    some = expected[0]
    currency = some["currency"]
    resp = await client.get("/money/receipts.csv", params={"currency": currency.lower()}, headers=auth(token_for, BOB))
    rows = read_csv(resp.text)
    assert rows and {r["currency"] for r in rows} == {currency}
    assert len(rows) == sum(1 for r in expected if r["currency"] == currency)

    day = some["date"][:10]
    resp = await client.get("/money/receipts.csv", params={"from": day, "to": day}, headers=auth(token_for, BOB))
    rows = read_csv(resp.text)
    assert some["email_id"] in {r["email_id"] for r in rows} and {r["date"] for r in rows} == {day}

    merchant = rows[0]["merchant"]
    resp = await client.get("/money/receipts.csv", params={"merchant": merchant.upper()}, headers=auth(token_for, BOB))
    assert {r["merchant"] for r in read_csv(resp.text)} == {merchant}


# -- identity and isolation -----------------------------------------------------------------------


async def test_users_see_only_their_own_receipts(world, token_for):
    alice_ids = {r["email_id"] for r in truth_receipts(world.truth, ALICE)} | {"evil-1"}
    bob_ids = {r["email_id"] for r in truth_receipts(world.truth, BOB)}
    bob_csv = {row["email_id"] for row in read_csv((await world.client.get("/money/receipts.csv", headers=auth(token_for, BOB))).text)}
    assert bob_csv == bob_ids and not bob_csv & alice_ids
    bob_dups = (await world.client.get("/money/duplicates?window_days=365", headers=auth(token_for, BOB))).json()
    assert not {d["earlier"]["id"] for d in bob_dups["duplicates"]} & alice_ids
    nobody = (await world.client.get("/money/summary", headers=auth(token_for, "carol@example.com"))).json()
    assert nobody["count"] == 0 and nobody["by_currency"] == {} and nobody["currency"] is None
    assert read_csv((await world.client.get("/money/receipts.csv", headers=auth(token_for, "carol@example.com"))).text) == []


@pytest.mark.parametrize("path", ["/money/receipts.csv", "/money/duplicates", "/money/summary"])
async def test_401_without_or_with_a_bad_token(world, path):
    resp = await world.client.get(path)
    assert resp.status_code == 401 and "credentials" in resp.json()["detail"]
    resp = await world.client.get(path, headers={"Authorization": "Bearer not-a-jwt"})
    assert resp.status_code == 401 and resp.json()["detail"]
    from applylens_contracts.identity import mint_token

    forged = mint_token(ALICE, "some-other-secret-that-is-long-enough")
    resp = await world.client.get(path, headers={"Authorization": f"Bearer {forged}"})
    assert resp.status_code == 401


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/money/duplicates?window_days=0", "window_days"),
        ("/money/duplicates?window_days=366", "window_days"),
        ("/money/duplicates?window_days=abc", "window_days"),
        ("/money/receipts.csv?from=yesterday", "'from'"),
        ("/money/receipts.csv?to=2026-13-01", "'to'"),
        ("/money/receipts.csv?from=2026-02-01&to=2026-01-01", "before"),
        ("/money/receipts.csv?currency=dollars", "currency"),
        ("/money/receipts.csv?currency=U%24D", "currency"),
    ],
)
async def test_bad_parameters_are_422_with_a_message(world, token_for, path, fragment):
    resp = await world.client.get(path, headers=auth(token_for, ALICE))
    assert resp.status_code == 422, resp.text
    assert fragment in resp.json()["detail"]


async def test_ops_endpoints(world):
    assert (await world.client.get("/healthz")).status_code == 200
    ready = await world.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"index", "database"}
    metrics = (await world.client.get("/metrics")).text
    assert "money_extracted_total" in metrics and "money_csv_rows_total" in metrics


async def test_reextract_rebuilds_the_same_answers(world, token_for):
    before = (await world.client.get("/money/summary", headers=auth(token_for, BOB))).json()
    async with runtime(world.settings, index=world.index) as rt:
        report = await extract_pending(rt.receipts, rt.ledger, BOB, everything=True)
    assert report.scanned == world.reports[BOB].scanned
    assert (await world.client.get("/money/summary", headers=auth(token_for, BOB))).json() == before
