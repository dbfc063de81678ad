"""Reading and editing a user's weights (the preference UI)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..adapters import PostgresWeights, StoredWeight
from ..adapters.postgres import Order
from ..domain import check_feature_name


class WeightNotFound(LookupError):
    pass


@dataclass
class EditWeights:
    """Every operation acts for ``user_id`` only; there is no way to name another user."""

    repo: PostgresWeights
    max_page: int = 1000
    edit_bound: float = 100.0

    async def list(self, user_id: str, *, limit: int, order: Order) -> tuple[int, list[StoredWeight]]:
        if not 1 <= limit <= self.max_page:
            raise ValueError(f"limit must be between 1 and {self.max_page}, got {limit}")
        return await self.repo.list_weights(user_id, limit=limit, order=order)

    async def set(self, user_id: str, feature: str, weight: float) -> StoredWeight:
        """Set one weight. Raises ValueError for a bad feature name or a weight out of bounds."""
        check_feature_name(feature)
        if not math.isfinite(weight) or abs(weight) > self.edit_bound:
            raise ValueError(f"weight must be a finite number in [-{self.edit_bound:g}, {self.edit_bound:g}], got {weight!r}")
        return await self.repo.set_weight(user_id, feature, float(weight))

    async def delete(self, user_id: str, feature: str) -> None:
        check_feature_name(feature)
        if not await self.repo.delete_weight(user_id, feature):
            raise WeightNotFound(f"no weight for feature {feature!r}")

    async def reset(self, user_id: str) -> int:
        return await self.repo.delete_all(user_id)
