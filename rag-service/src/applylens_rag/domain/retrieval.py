"""From a chat question to an index query (pure).

A question is natural language ("when is my onsite with Acme?"), but the index's text
syntax ANDs words, so the question is reduced to its content words (stop words and
question words dropped) and those are ORed: an email matching more of them ranks
higher, one matching any of them is still found. Field weights rank a match in the
subject above one in the body above one in the sender.
"""

from __future__ import annotations

import re

from applylens_index.query import EmailQuery, Sort, TextWeights

from .boosts import BoostConfig, Mode

MAX_QUESTION_CHARS = 500
MAX_TERMS = 16
MAX_K = 20
DEFAULT_K = 6

# subject > body > sender (only the ratios matter).
TEXT_WEIGHTS = TextWeights(subject=1.0, body_text=0.5, from_=0.25)

_WORD = re.compile(r"[^\W_]+")
_STOP = frozenset(
    """a about above after again against all am an and any anything are as at be because been before being below
    between both but by can could did do does doing down during each few for from further get got had has have
    having he her here hers him his how i if in into is it its itself just let me more most my myself no nor not
    now of off on once only or other our ours out over own please same she should show so some something such tell
    than that the their theirs them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours anyone everything find give list
    lately recent recently mail mails email emails inbox message messages""".split()
)


def question_terms(question: str) -> list[str]:
    """The content words of ``question``, lower-cased, in order, without repeats; at most MAX_TERMS.

    Words are runs of letters and digits; stop words and one-letter words are dropped.
    An empty list means the question names nothing searchable (e.g. "anything new?").
    """
    seen: dict[str, None] = {}
    for word in _WORD.findall(question.lower()):
        if len(word) > 1 and word not in _STOP:
            seen.setdefault(word)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


def build_query(user_id: str, question: str, mode: Mode, k: int, config: BoostConfig, *,
                use_text: bool = True) -> EmailQuery:
    """The index query for one question: the user's mail only, the question's words ORed
    (weighted subject > body > sender), the urgency boosts and the mode's, explained.

    ``use_text=False`` (or a question without content words) ranks every email of the user
    by the boosts alone, newest first among equals: the fallback when no email matches.
    """
    terms = question_terms(question) if use_text else []
    return EmailQuery(
        user_id=user_id,
        text=" or ".join(terms) or None,
        text_weights=TEXT_WEIGHTS,
        boosts=config.boosts(mode),
        sort=Sort.RELEVANCE,
        size=k,
        explain=True,
    )
