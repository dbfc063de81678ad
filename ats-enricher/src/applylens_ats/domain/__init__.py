"""Pure domain of the ATS enricher: stages, ghosting risk, matching, inference. No I/O."""

from applylens_ats.domain.inference import (
    ApplicationState,
    InferredAts,
    fold,
    fold_by_application,
    infer_from_email,
    infer_stage,
)
from applylens_ats.domain.matching import MATCH_THRESHOLD, Match, best_match, match_application
from applylens_ats.domain.model import Application, EmailFacts
from applylens_ats.domain.risk import ghosting_risk, staleness_curve
from applylens_ats.domain.stages import (
    EXPECTED_DAYS,
    TERMINAL_STAGES,
    Stage,
    expected_days,
    normalize_stage,
)

__all__ = [
    "EXPECTED_DAYS",
    "MATCH_THRESHOLD",
    "TERMINAL_STAGES",
    "Application",
    "ApplicationState",
    "EmailFacts",
    "InferredAts",
    "Match",
    "Stage",
    "best_match",
    "expected_days",
    "fold",
    "fold_by_application",
    "ghosting_risk",
    "infer_from_email",
    "infer_stage",
    "match_application",
    "normalize_stage",
    "staleness_curve",
]
