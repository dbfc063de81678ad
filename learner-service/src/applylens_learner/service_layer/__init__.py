"""The learner's use cases: apply decisions, read and edit weights, score emails."""

from .decisions import ApplyDecisions, ApplyResult, to_decisions
from .scoring import EmailScore, ScoreEmails
from .weights import EditWeights

__all__ = ["ApplyDecisions", "ApplyResult", "EditWeights", "EmailScore", "ScoreEmails", "to_decisions"]
