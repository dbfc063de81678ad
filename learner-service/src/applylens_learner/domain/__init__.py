"""The learner's pure domain: features, update rules, scoring and confidence nudging (no I/O)."""

from .decisions import Decision, Label, label_of, sign_of
from .feature_names import FEATURE_KINDS, MAX_FEATURE_LENGTH, check_feature_name
from .features import features, normalise_list_id, normalise_sender_domain, subject_tokens
from .linear import LinearParams, WeightDelta, batch_deltas, linear_deltas, sum_deltas
from .logistic import (
    FeatureState,
    LogisticParams,
    apply_logistic,
    fold_logistic,
    logistic_batch,
    model_features,
    pin_weight,
    state_keys,
    weight_of,
    weights_of,
)
from .nudge import exploration_draw, nudge_confidence
from .scoring import (
    BIAS_FEATURE,
    LINEAR_CALIBRATION,
    LOGISTIC_CALIBRATION,
    Calibration,
    Score,
    score,
    sigmoid,
)
from .stopwords import STOP_WORDS

__all__ = [
    "FEATURE_KINDS",
    "MAX_FEATURE_LENGTH",
    "check_feature_name",
    "BIAS_FEATURE",
    "LINEAR_CALIBRATION",
    "LOGISTIC_CALIBRATION",
    "STOP_WORDS",
    "Calibration",
    "Decision",
    "FeatureState",
    "Label",
    "LinearParams",
    "LogisticParams",
    "Score",
    "WeightDelta",
    "apply_logistic",
    "batch_deltas",
    "exploration_draw",
    "features",
    "fold_logistic",
    "label_of",
    "linear_deltas",
    "logistic_batch",
    "model_features",
    "nudge_confidence",
    "normalise_list_id",
    "normalise_sender_domain",
    "pin_weight",
    "score",
    "sigmoid",
    "sign_of",
    "state_keys",
    "subject_tokens",
    "sum_deltas",
    "weight_of",
    "weights_of",
]
