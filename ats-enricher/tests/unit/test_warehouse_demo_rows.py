"""The demo warehouse rows follow the ground truth (pure: no database)."""

from datetime import datetime, timezone

from applylens_index.ingest.demo import generate_demo

from applylens_ats.adapters.warehouse.demo import warehouse_rows

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def test_every_ats_application_becomes_its_connectors_rows() -> None:
    truth = generate_demo(now=NOW, messages_per_user=200).truth
    rows = warehouse_rows(truth.applications, now=NOW)
    by_system: dict[str, int] = {}
    for app in truth.applications:
        by_system[app["system"]] = by_system.get(app["system"], 0) + 1
    assert len(rows["gh.application"]) == by_system["greenhouse"]
    assert len(rows["lv.opportunity"]) == by_system["lever"]
    assert len(rows["ats.external_application"]) == by_system["workday"]
    assert len(rows["ats.job_company"]) == by_system["greenhouse"] + by_system["lever"]
    rejected = [r for r in rows["gh.application"] if r[5] == "rejected"]
    assert all(r[3] is not None for r in rejected)  # rejected_at set
    archived = [r for r in rows["lv.opportunity"] if r[5] is not None]
    assert all(r[6] == "underqualified" for r in archived)
