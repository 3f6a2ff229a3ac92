"""The suppression engine: nothing on fewer than 5 clients, nothing that gives it away."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliantiemonitor.core.suppression import (
    THRESHOLD,
    Cell,
    Table,
    derivable,
    hidden_equations,
    suppress,
    suppress_tables,
)


def table_of(counts: list[list[int]]) -> Table:
    """A table in which every count is also its number of distinct clients."""
    cells = [[Cell(v, v) for v in row] for row in counts]
    rows = [Cell(sum(r), sum(r)) for r in counts]
    columns = [Cell(sum(c), sum(c)) for c in zip(*counts, strict=True)] if counts[0] else []
    total = sum(map(sum, counts))
    return Table(cells=cells, row_totals=rows, column_totals=columns, total=Cell(total, total))


def groups_of(counts: list[int]) -> Table:
    return Table(
        cells=[[] for _ in counts],
        row_totals=[Cell(v, v) for v in counts],
        column_totals=[],
        total=Cell(sum(counts), sum(counts)),
    )


def test_a_small_cell_is_hidden_with_a_partner_in_its_row_and_column():
    result = suppress(table_of([[8, 2], [6, 7]]))
    assert result.is_hidden((0, 1))
    # The row total 10 and column total 9 are shown, so one hidden cell alone would follow
    # from them: a partner is hidden in the row and in the column.
    assert sum(result.is_hidden((0, c)) for c in range(2)) >= 2
    assert sum(result.is_hidden((r, 1)) for r in range(2)) >= 2
    assert derivable(result.table, result.hidden) == []


def test_total_minus_visible_parts_cannot_reveal_a_small_group():
    # Teams of 10, 3 and 7 clients: 3 is hidden, and 20 − 10 − 7 would give it back, so the
    # smallest other team is hidden too.
    result = suppress(groups_of([10, 3, 7]))
    assert result.value((1, None)) is None
    assert result.value((2, None)) is None
    assert result.value((0, None)) == 10
    assert result.value((None, None)) == 20


def test_two_small_hidden_cells_do_not_protect_each_other():
    # 2 + 2 = 4 clients: the difference 13 − 9 would show a figure on 4 clients.
    result = suppress(groups_of([9, 2, 2]))
    assert result.value((0, None)) is None


def test_a_zero_is_shown_and_never_used_as_the_partner():
    result = suppress(table_of([[0, 3, 9], [6, 0, 8]]))
    assert result.value((0, 0)) == 0
    assert result.is_hidden((0, 1))
    hidden_in_row = [c for c in range(3) if result.is_hidden((0, c))]
    assert 2 in hidden_in_row  # the 9, not the 0


def test_a_table_on_fewer_than_five_clients_shows_nothing_but_zeros():
    result = suppress(table_of([[1, 2], [0, 1]]))
    assert all(result.value(key) in (None, 0) for key in result.table.all_keys()), result.hidden


def test_distinct_clients_decide_not_the_count():
    # 12 rounds, but of 3 clients: hidden.
    table = Table(
        cells=[[Cell(12, 3), Cell(20, 9)]],
        row_totals=[Cell(32, 12)],
        column_totals=[Cell(12, 3), Cell(20, 9)],
        total=Cell(32, 12),
    )
    result = suppress(table)
    assert result.is_hidden((0, 0))
    assert result.is_hidden((None, 0))


def test_linked_tables_hide_a_shared_total_everywhere():
    # The second table hides row 1's total (4 clients in it); the first must hide it too.
    first = groups_of([9, 6, 8])
    second = Table(
        cells=[[Cell(9, 9), Cell(0, 0)], [Cell(2, 2), Cell(4, 4)], [Cell(5, 5), Cell(3, 3)]],
        row_totals=[Cell(9, 9), Cell(6, 6), Cell(8, 8)],
        column_totals=[Cell(16, 16), Cell(7, 7)],
        total=Cell(23, 23),
    )
    a, b = suppress_tables([first, second])
    for r in range(3):
        assert a.is_hidden((r, None)) == b.is_hidden((r, None))


def test_tables_must_add_up():
    with pytest.raises(ValueError, match="row 0"):
        Table(
            cells=[[Cell(1, 1)]],
            row_totals=[Cell(2, 2)],
            column_totals=[Cell(1, 1)],
            total=Cell(2, 2),
        )


def _attack(result) -> dict:
    """Everything an attacker can pin down: solve the published equations for hidden cells.

    Returns, per hidden cell, its value when the lines fix it; and per line whose total is
    shown, the sum of its hidden inner cells with the clients that sum could rest on.
    """
    table = result.table
    hidden = [k for k in table.all_keys() if result.is_hidden(k)]
    index = {k: i for i, k in enumerate(hidden)}
    rows, rhs = [], []
    for line in table.lines():
        vector = np.zeros(len(hidden))
        known = 0.0
        for k in line.inner:
            if k in index:
                vector[index[k]] += 1
            else:
                known -= table.cell(k).value
        if line.total in index:
            vector[index[line.total]] -= 1
        else:
            known += table.cell(line.total).value
        if vector.any():
            rows.append(vector)
            rhs.append(known)
    recovered = {}
    if rows:
        matrix = np.vstack(rows)
        solution, *_ = np.linalg.lstsq(matrix, np.array(rhs), rcond=None)
        null = np.linalg.svd(matrix)[2][np.linalg.matrix_rank(matrix) :]
        for k, i in index.items():
            if not null.size or np.allclose(null[:, i], 0):
                recovered[k] = round(float(solution[i]))
    return recovered


cell_counts = st.integers(min_value=0, max_value=14)
grids = st.integers(min_value=1, max_value=5).flatmap(
    lambda n_rows: st.integers(min_value=1, max_value=5).flatmap(
        lambda n_cols: st.lists(
            st.lists(cell_counts, min_size=n_cols, max_size=n_cols),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
)


def _assert_safe(table: Table) -> None:
    result = suppress(table)
    # 1. Nothing on fewer than 5 clients is shown (a 0 describes nobody).
    for key in table.all_keys():
        if 0 < table.cell(key).clients < THRESHOLD:
            assert result.is_hidden(key)
    # 2. Solving every published equation together recovers no hidden cell.
    assert _attack(result) == {}
    # 3. Total minus the visible parts: in each line with a shown total, the hidden inner
    #    cells include one on at least 5 clients, so their sum rests on at least 5.
    for line in table.lines():
        inner = [k for k in line.inner if result.is_hidden(k)]
        if inner and not result.is_hidden(line.total):
            assert max(table.cell(k).clients for k in inner) >= THRESHOLD


@settings(max_examples=300, deadline=None)
@given(grids)
def test_no_route_through_a_published_table_recovers_a_hidden_cell(counts):
    _assert_safe(table_of(counts))


@settings(max_examples=200, deadline=None)
@given(st.lists(cell_counts, min_size=1, max_size=8))
def test_no_route_through_a_published_group_list_recovers_a_hidden_group(counts):
    _assert_safe(groups_of(counts))


def test_exhaustive_small_tables_leak_nothing():
    for values in itertools.product([0, 2, 6], repeat=4):
        counts = [list(values[:2]), list(values[2:])]
        result = suppress(table_of(counts))
        assert _attack(result) == {}, counts


def _derivable_by_rank(table, hidden):
    """The definition, one rank test per hidden cell: e_k is in the row space of the lines."""
    keys, matrix = hidden_equations(table, hidden)
    if matrix is None:
        return []
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for i, k in enumerate(keys):
        unit = np.zeros(len(keys))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(k)
    return found


@settings(max_examples=60, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 7), st.integers(1, 5)),
    seed=st.integers(0, 2**32 - 1),
    share=st.floats(0.05, 0.9),
)
def test_derivable_agrees_with_one_rank_test_per_cell(shape, seed, share):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 30, size=shape).tolist()
    table = table_of(counts)
    keys = table.all_keys()
    hidden = {k: "primary" for k in keys if rng.random() < share}
    assert sorted(derivable(table, hidden), key=str) == sorted(
        _derivable_by_rank(table, hidden), key=str
    )


def test_an_organisation_with_a_hundred_teams_leaks_nothing():
    """Many rows (teams), many hidden cells: the one-SVD test still finds every derivable one."""
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 12, size=(100, 6)).tolist()
    table = table_of(counts)
    result = suppress(table)
    small = [k for k in table.all_keys() if 0 < table.cell(k).clients < THRESHOLD]
    assert small
    assert all(result.is_hidden(k) for k in small)
    # Nothing hidden follows from what is shown (checked the slow way, by definition).
    assert _derivable_by_rank(table, result.hidden) == []
