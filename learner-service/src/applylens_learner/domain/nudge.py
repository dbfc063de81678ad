"""Nudging a policy's confidence with the learned approve-probability — never silencing it.

The original added the learned score to a policy's confidence; one reject could push it
just under the policy's firing threshold, the policy stopped proposing, no feedback came
back, and the policy stayed silent for that user forever. Three guards here:

1. **Bounded shift.** The nudge moves confidence by ``max_shift · (2p − 1)``: at most
   ``max_shift`` either way, nothing at p = 0.5 (no evidence).
2. **Floor.** A nudge never takes confidence below ``floor`` (nor below where the policy
   already was, if that is lower): a disliked policy gets quieter, not dead.
3. **Exploration.** With probability ``exploration`` the nudge is skipped and the policy
   is judged on its own confidence, so a policy whose own confidence clears its threshold
   still proposes in at least that share of cases and the learner keeps getting the
   decisions it needs to change its mind. The draw is supplied by the caller (pure
   function); :func:`exploration_draw` gives a stable one per (user, email, policy).
"""

from __future__ import annotations

import hashlib

DEFAULT_MAX_SHIFT = 0.15
DEFAULT_FLOOR = 0.05
DEFAULT_EXPLORATION = 0.1


def exploration_draw(*key: object) -> float:
    """A uniform number in [0, 1) determined by ``key`` (e.g. user id, email id, policy id).

    Deterministic, so every replica and every retry makes the same exploration choice.
    """
    digest = hashlib.blake2b("\x1f".join(map(str, key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def nudge_confidence(
    policy_confidence: float,
    probability: float,
    *,
    max_shift: float = DEFAULT_MAX_SHIFT,
    floor: float = DEFAULT_FLOOR,
    exploration: float = DEFAULT_EXPLORATION,
    draw: float | None = None,
) -> float:
    """The policy's confidence (in [0, 1]) shifted toward the learned approve-``probability``.

    Returns ``policy_confidence`` unchanged when ``draw`` (uniform in [0, 1)) is below
    ``exploration``; ``draw=None`` means "never explore" (for display, not for deciding
    whether to propose). Otherwise ``clamp(c + max_shift·(2p − 1), min(c, floor), 1)``.
    Raises ValueError for a confidence or probability outside [0, 1], a negative shift
    or floor, or an exploration rate outside [0, 1].
    """
    for name, value in (("policy_confidence", policy_confidence), ("probability", probability)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    if not 0.0 <= max_shift <= 1.0:
        raise ValueError(f"max_shift must be in [0, 1], got {max_shift!r}")
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"floor must be in [0, 1], got {floor!r}")
    if not 0.0 <= exploration <= 1.0:
        raise ValueError(f"exploration must be in [0, 1], got {exploration!r}")
    if draw is not None and draw < exploration:
        return policy_confidence
    nudged = policy_confidence + max_shift * (2.0 * probability - 1.0)
    lowest = min(policy_confidence, floor)
    return max(lowest, min(1.0, nudged))
