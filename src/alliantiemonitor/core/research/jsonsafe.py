"""What every research result shares: a status with its reason, and JSON-safe numbers.

A statistic that cannot be computed is ``None`` (never NaN or infinity, which JSON has no
words for), and the result that holds it says why.
"""

from __future__ import annotations

import math
from typing import Literal

Status = Literal["ok", "not_estimable"]
OK: Status = "ok"
NOT_ESTIMABLE: Status = "not_estimable"


def number(value: float | None) -> float | None:
    """``value`` as a plain float, or ``None`` when it is missing, NaN or infinite."""
    if value is None:
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def interval(bounds: tuple[float, float] | None) -> list[float | None] | None:
    """A confidence interval as ``[lower, upper]`` with JSON-safe bounds."""
    if bounds is None:
        return None
    return [number(bounds[0]), number(bounds[1])]
