"""rag's pure core: boosts as data, question → query, sources and "why boosted", the answerers' text."""

from .boosts import DEFAULT_BOOSTS, BoostConfig, Mode, ModeBoost
from .extractive import extractive_answer, group_by_thread
from .prompt import chat_messages, citation_footer, citations_in
from .retrieval import DEFAULT_K, MAX_K, MAX_QUESTION_CHARS, build_query, question_terms
from .sources import Source, to_source, why_boosted

__all__ = [
    "DEFAULT_BOOSTS",
    "DEFAULT_K",
    "MAX_K",
    "MAX_QUESTION_CHARS",
    "BoostConfig",
    "Mode",
    "ModeBoost",
    "Source",
    "build_query",
    "chat_messages",
    "citation_footer",
    "citations_in",
    "extractive_answer",
    "group_by_thread",
    "question_terms",
    "to_source",
    "why_boosted",
]
