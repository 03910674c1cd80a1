"""Fair sharing of a budget among wallboxes: one common current, capped per wallbox.

Every wallbox that charges gets the same current `L`, or its own cap when that is
lower (`min(L, cap)`): "equal current". Each constraint is linear in the currents,

    sum_k weight_k * min(L, cap_k) <= budget,

(e.g. watts on the contracted power, amperes on one phase, watts of PV), and `L` is
the largest level every constraint allows: a water-filling, solved exactly in
O(n log n) per constraint (no iteration, so a decision stays in microseconds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

INF = math.inf


class Constraint(NamedTuple):
    """`sum_k weights[k] * current_k <= budget`; `reason` names it when it binds."""

    reason: str
    budget: float
    weights: Sequence[float]


def level_for(caps: Sequence[float], order: Sequence[int], weights: Sequence[float], budget: float, n: int) -> float:
    """The largest common level one constraint allows the first `n` participants (INF when
    it never binds); `order`: the indices below `n` from the lowest cap up."""
    fixed, free = 0.0, sum(weights[:n])
    for k in order:
        if free <= 0.0:
            return INF
        level = (budget - fixed) / free
        if level <= caps[k]:
            return level
        fixed += weights[k] * caps[k]
        free -= weights[k]
    return INF  # every participant reaches its cap within the budget


def fill(caps: Sequence[float], constraints: Sequence[Constraint], n: int | None = None) -> tuple[float, str | None]:
    """(level, reason of the binding constraint or None when only the caps bind) for the
    first `n` participants (all by default)."""
    n = len(caps) if n is None else n
    order = sorted(range(n), key=caps.__getitem__) if n > 1 else range(n)
    level, reason = INF, None
    for c in constraints:
        candidate = level_for(caps, order, c.weights, c.budget, n)
        if candidate < level:
            level, reason = candidate, c.reason
    return level, reason
