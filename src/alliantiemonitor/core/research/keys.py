"""Integer codes for key columns (trajectory ids), fast when equal keys stand together.

Research data comes ordered by trajectory: an export, the generator and the naive scripts all
write a trajectory's rows one after another. Hashing each of two million text keys (what
``pd.factorize`` does) then repeats the same work for every row of a run. :func:`factorize`
compares each key with the one before it (a cheap pass over Arrow's string buffers), hashes
only the first key of each run, and repeats its code over the run. The result is exactly
``pd.factorize``'s, in any order of the data; on data without runs it falls back to it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

#: Take the run path only when runs average at least this many rows.
_MIN_RUN = 2


def _arrow_strings(values: pd.Series) -> pa.ChunkedArray | pa.Array | None:
    """The Arrow array behind a string column without nulls, or ``None``."""
    dtype = values.dtype
    is_arrow_string = (
        isinstance(dtype, pd.StringDtype) and getattr(dtype, "storage", "") == "pyarrow"
    ) or (isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype))
    if not is_arrow_string:
        return None
    # The Arrow interchange protocol: the column's own buffers, no copy.
    array = values.array.__arrow_array__()
    if array.null_count:
        return None
    return array


def factorize(
    values: pd.Series, *, sort: bool = False, use_na_sentinel: bool = True
) -> tuple[NDArray[np.intp], Any]:
    """``pd.factorize(values, sort=sort, use_na_sentinel=use_na_sentinel)``, the same result.

    Faster on text keys stored by Arrow (pandas' ``str`` columns) that come in runs; every
    other column, and text with missing values, goes straight to ``pd.factorize``.
    """
    array = _arrow_strings(values) if len(values) > 1 else None
    if array is None:
        return pd.factorize(values, sort=sort, use_na_sentinel=use_na_sentinel)
    n = len(array)
    changed = pc.not_equal(array.slice(1), array.slice(0, n - 1))
    if isinstance(changed, pa.ChunkedArray):
        changed = changed.combine_chunks()
    starts = np.flatnonzero(np.r_[True, changed.to_numpy(zero_copy_only=False)])
    if n < _MIN_RUN * len(starts):
        return pd.factorize(values, sort=sort, use_na_sentinel=use_na_sentinel)
    heads = pd.Series(array.take(pa.array(starts)), dtype=values.dtype)
    head_codes, uniques = pd.factorize(heads, sort=sort, use_na_sentinel=use_na_sentinel)
    lengths = np.diff(np.r_[starts, n])
    return np.repeat(head_codes, lengths), uniques
