"""``keys.factorize`` gives exactly ``pd.factorize``'s codes and uniques, runs or no runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliantiemonitor.core.research.keys import factorize

DTYPES = {
    "str": "str",
    "string[pyarrow]": "string[pyarrow]",
    "arrow": pd.ArrowDtype(pa.string()),
    "object": object,
}

# Keys in runs (how exports and the generator write them), a run's key drawn from a few, so
# the same key also comes back later in another run.
_RUNS = st.lists(
    st.tuples(st.sampled_from(["t1", "t2", "t10", "", "ü", None]), st.integers(1, 4)),
    max_size=12,
)


def _values(runs: list[tuple[str | None, int]], dtype: str) -> pd.Series:
    return pd.Series([key for key, length in runs for _ in range(length)], dtype=DTYPES[dtype])


@settings(max_examples=150, deadline=None)
@given(
    runs=_RUNS,
    dtype=st.sampled_from(sorted(DTYPES)),
    sort=st.booleans(),
    use_na_sentinel=st.booleans(),
)
def test_factorize_is_pandas_factorize(runs, dtype, sort, use_na_sentinel) -> None:
    values = _values(runs, dtype)
    codes, uniques = factorize(values, sort=sort, use_na_sentinel=use_na_sentinel)
    expected_codes, expected_uniques = pd.factorize(
        values, sort=sort, use_na_sentinel=use_na_sentinel
    )
    np.testing.assert_array_equal(codes, expected_codes)
    assert codes.dtype == expected_codes.dtype
    pd.testing.assert_index_equal(pd.Index(uniques), pd.Index(expected_uniques))


@pytest.mark.parametrize("dtype", ["str", "arrow"])
def test_runs_take_the_run_path_and_agree(dtype: str) -> None:
    # Long runs over a chunked Arrow column: the path that hashes only each run's first key.
    keys = [f"t{i % 7}" for i in range(40) for _ in range(3)]
    chunked = pa.chunked_array([pa.array(keys[:50]), pa.array(keys[50:])])
    values = pd.Series(pd.arrays.ArrowExtensionArray(chunked)).astype(DTYPES[dtype])
    codes, uniques = factorize(values)
    expected_codes, expected_uniques = pd.factorize(values)
    np.testing.assert_array_equal(codes, expected_codes)
    pd.testing.assert_index_equal(pd.Index(uniques), pd.Index(expected_uniques))
