"""The importer into the real PostgreSQL engine, from fixture files the tests write."""

from __future__ import annotations

from pathlib import Path

import pytest

from applylens_index import EmailQuery, Sort
from applylens_index.importer import import_path
from applylens_index.postgres import PostgresEmailIndex

from .mail import TRUNCATED, message, write_eml_folder, write_mbox

pytestmark = pytest.mark.integration


async def test_mbox_import_indexes_reports_and_is_idempotent(pg_index: PostgresEmailIndex, user: str, tmp_path: Path) -> None:
    mbox = write_mbox(tmp_path / "mail.mbox", [message(1), message(2), TRUNCATED, message(3), message(1)])
    progress: list[tuple[int, int]] = []
    report = await import_path(mbox, user, pg_index, batch_size=2, on_progress=lambda m, b: progress.append((m, b)))
    assert (report.total, report.new, report.updated, report.unchanged) == (5, 3, 0, 1)
    assert [source.rsplit("#", 1)[1] for source, _ in report.failed] == ["3"]
    assert "truncated MIME" in report.failed[0][1]
    assert [m for m, _ in progress] == [2, 4, 5] and progress[-1][1] > 0

    found = await pg_index.search(EmailQuery(user_id=user, text="interview acme", size=10))
    assert found.total == 3
    assert {h.doc.sender_domain for h in found.hits} == {"greenhouse.io"}

    again = await import_path(mbox, user, pg_index)
    assert (again.total, again.new, again.updated, again.unchanged, len(again.failed)) == (5, 0, 0, 4, 1)


async def test_eml_folder_and_single_file_share_ids_with_the_mbox(pg_index: PostgresEmailIndex, user: str, tmp_path: Path) -> None:
    folder = write_eml_folder(tmp_path / "eml", [message(10), message(11, subject="Your receipt", sender="orders@shop.com")])
    first = await import_path(folder, user, pg_index)
    assert (first.total, first.new) == (2, 2)
    single = await import_path(folder / "000.eml", user, pg_index)
    assert (single.total, single.new, single.unchanged) == (1, 0, 1)
    as_mbox = await import_path(write_mbox(tmp_path / "m.mbox", [message(10), message(12)]), user, pg_index)
    assert (as_mbox.new, as_mbox.unchanged) == (1, 1)


async def test_reimport_never_wipes_enrichment(pg_index: PostgresEmailIndex, user: str, tmp_path: Path) -> None:
    mbox = write_mbox(tmp_path / "mail.mbox", [message(20)])
    await import_path(mbox, user, pg_index)
    (doc,) = [d async for d in pg_index.stream(EmailQuery(user_id=user))]
    await pg_index.update_partial(user, [(doc.id, {"ats": {"stage": "Offer", "ghosting_risk": 0.1}})])
    assert (await import_path(mbox, user, pg_index)).unchanged == 1
    assert (await pg_index.get(user, [doc.id]))[0].ats.stage == "Offer"


async def test_bad_arguments(pg_index: PostgresEmailIndex, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.mbox"):
        await import_path(tmp_path / "nope.mbox", "a@example.com", pg_index)
    with pytest.raises(ValueError, match="user_id"):
        await import_path(tmp_path, "", pg_index)
    with pytest.raises(ValueError, match="batch_size"):
        await import_path(tmp_path, "a@example.com", pg_index, batch_size=0)


async def test_parser_processes_give_the_same_result(pg_index: PostgresEmailIndex, user: str, tmp_path: Path) -> None:
    mbox = write_mbox(tmp_path / "mail.mbox", [message(n) for n in range(30, 37)] + [TRUNCATED])
    report = await import_path(mbox, user, pg_index, batch_size=3, workers=2)
    assert (report.total, report.new, len(report.failed)) == (8, 7, 1)
    got = [d.subject async for d in pg_index.stream(EmailQuery(user_id=user, sort=Sort.OLDEST))]
    assert got == [f"Interview {n} at Acme" for n in range(30, 37)]
    with pytest.raises(ValueError, match="workers"):
        await import_path(mbox, user, pg_index, workers=0)
