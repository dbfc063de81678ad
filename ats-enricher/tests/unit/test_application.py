from datetime import datetime, timedelta, timezone

import pytest

from applylens_ats.domain.model import Application

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_ats_fields_from_warehouse_row() -> None:
    app = Application(
        system="lever", application_id="o1", company="Globex", company_domain="globex.com",
        job_title="Platform Engineer", stage="On-site interview",
        last_stage_change=NOW - timedelta(days=3), next_interview_at=NOW + timedelta(days=2),
    )
    fields = app.ats_fields(now=NOW)
    assert fields.model_dump() == {
        "system": "lever",
        "application_id": "o1",
        "stage": "Onsite",
        "last_stage_change": NOW - timedelta(days=3),
        "interview_date": NOW + timedelta(days=2),
        "company": "Globex",
        "ghosting_risk": 0.0,
    }


def test_ats_fields_risk_uses_stage_and_closed_job() -> None:
    app = Application(system="greenhouse", application_id="1", company="Acme", stage="Application Review",
                      last_stage_change=NOW - timedelta(days=21), job_closed=True)
    fields = app.ats_fields(now=NOW)
    assert fields.stage == "Applied"
    assert fields.ghosting_risk == pytest.approx(1 - (1 - 0.4944) * 0.5, abs=1e-3)


def test_unknown_stage_is_written_as_none() -> None:
    app = Application(system="lever", application_id="o2", stage="3f1c2b9e-0000-4000-8000-000000000000")
    assert app.ats_fields(now=NOW).stage is None
