"""The one rounding rule for scores that people read.

Every page, chart, table, export and printout shows a score (a mean of whole answers) or a
difference of scores with **one decimal, rounded half up on the exact value**: 3.75 is 3.8,
3.25 is 3.3 and −0.15 is −0.2 (half away from zero, so a difference reads the same in both
directions).

"The exact value" matters because a mean is computed as a float: 73/20 is stored as
3.6499999999999999…, and 3.4 − 3.25 comes out as 0.1499999999999999. Rounding those floats
(Python's ``round``, ``f"{x:.1f}"``) or cutting them off (Django's ``number_format``) gives
3.6 and 0.1 on one page and 3.7 and 0.2 on another. Here the float is first turned back into
the fraction it stands for — the nearest fraction with a denominator up to a million, which is
the true one for any mean or difference of means of up to a few hundred answers — and that
fraction is rounded. Research extracts keep the unrounded float; only what a person reads is
rounded.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

#: Larger than any denominator a mean (or a difference of two means) of answers can have,
#: small enough that the float's own error never picks a different fraction.
_MAX_DENOMINATOR = 1_000_000


def round_score(value: float, places: int = 1) -> Decimal:
    """``value`` rounded half up (away from zero) to ``places`` decimals on its exact value.

    Returns a :class:`~decimal.Decimal` with exactly ``places`` decimals; never ``-0.0``.
    """
    exact = Fraction(value).limit_denominator(_MAX_DENOMINATOR)
    scale = 10**places
    magnitude = abs(exact) * scale
    # Half up on a fraction p/q: floor(p/q + 1/2) = (2p + q) // 2q.
    units = (2 * magnitude.numerator + magnitude.denominator) // (2 * magnitude.denominator)
    if exact < 0 and units:
        units = -units
    return Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places))
