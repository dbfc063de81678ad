import pytest

from applylens_ats.domain.stages import (
    EXPECTED_DAYS,
    PIPELINE_ORDER,
    TERMINAL_STAGES,
    Stage,
    expected_days,
    normalize_stage,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Onsite", Stage.ONSITE),
        ("ONSITE", Stage.ONSITE),
        ("On-site", Stage.ONSITE),
        ("on_site interview", Stage.ONSITE),
        ("On-site interview", Stage.ONSITE),  # Lever default name
        ("Face to Face", Stage.ONSITE),  # Greenhouse default
        ("Virtual Onsite", Stage.ONSITE),
        ("final interview", Stage.FINAL_ROUND),
        ("FINAL ROUND", Stage.FINAL_ROUND),
        ("Reference Check", Stage.FINAL_ROUND),
        ("Application Review", Stage.APPLIED),
        ("applicant-new", Stage.APPLIED),  # Lever stage id
        ("lead-reached-out", Stage.APPLIED),
        ("New applicant", Stage.APPLIED),
        ("Preliminary Phone Screen", Stage.RECRUITER_SCREEN),
        ("recruiter-screen", Stage.RECRUITER_SCREEN),
        ("Phone Interview", Stage.PHONE_SCREEN),
        ("Hiring Manager Screen", Stage.PHONE_SCREEN),
        ("Take Home Test", Stage.ASSESSMENT),
        ("Technical Phone Screen", Stage.TECHNICAL_SCREEN),
        ("tech screen", Stage.TECHNICAL_SCREEN),
        ("offer", Stage.OFFER),
        ("Offer Extended", Stage.OFFER),
        ("Offer Negotiation", Stage.NEGOTIATION),
        ("hired", Stage.HIRED),
        ("Offer Accepted", Stage.HIRED),
        ("rejected", Stage.REJECTED),
        ("Not Moving Forward", Stage.REJECTED),
        ("Withdrawn", Stage.WITHDRAWN),
        ("Offer Declined", Stage.WITHDRAWN),
        ("archived:Hired", Stage.HIRED),
        ("archived:Withdrew", Stage.WITHDRAWN),
        ("archived:Underqualified", Stage.REJECTED),
        ("archived:", Stage.REJECTED),
        ("Recruiter Screen", Stage.RECRUITER_SCREEN),
        ("Onsite Round 2 - Systems", Stage.ONSITE),  # keyword fallback
    ],
)
def test_normalises_ats_spellings(raw: str, expected: Stage) -> None:
    assert normalize_stage(raw) is expected


@pytest.mark.parametrize("raw", [None, "", "   ", "8f14e45f-ceea-467f-a9f0-1234567890ab", "???"])
def test_unknown_or_opaque_stage_is_none(raw: str | None) -> None:
    assert normalize_stage(raw) is None


def test_every_canonical_name_normalises_to_itself_in_any_case() -> None:
    for stage in Stage:
        assert normalize_stage(stage.value) is stage
        assert normalize_stage(stage.value.upper()) is stage
        assert normalize_stage(stage.value.lower()) is stage


def test_terminal_stages() -> None:
    assert TERMINAL_STAGES == {Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN}
    for stage in TERMINAL_STAGES:
        assert expected_days(stage) is None


def test_every_active_stage_has_an_expected_duration() -> None:
    active = set(Stage) - TERMINAL_STAGES
    assert set(EXPECTED_DAYS) == active
    assert all(days > 0 for days in EXPECTED_DAYS.values())
    assert expected_days(Stage.APPLIED) == 14.0
    assert expected_days(Stage.OFFER) == 5.0
    assert expected_days(None) == 14.0  # unknown stage


def test_pipeline_order_starts_applied_and_ends_hired() -> None:
    assert PIPELINE_ORDER[0] is Stage.APPLIED
    assert PIPELINE_ORDER[-1] is Stage.HIRED
    assert PIPELINE_ORDER.index(Stage.ONSITE) < PIPELINE_ORDER.index(Stage.OFFER)
