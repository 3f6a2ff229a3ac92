"""Small-number suppression for aggregate tables: no figure may rest on fewer than 5 clients.

A dashboard table has rows (groups: teams, or one team) and columns (categories: round states,
score bands, patterns, answers); every row has a total, every column has a total, and there is
a grand total. Each cell carries its value (a count) and the number of distinct clients the
value rests on. The rules, applied to the whole table at once:

1. **Primary suppression.** A cell with a value other than 0 that rests on fewer than
   :data:`THRESHOLD` clients is hidden. A 0 is shown: it describes nobody.
2. **Complementary suppression, per line.** A *line* is a row with its row total, a column
   with its column total, the row of column totals with the grand total, and the column of
   row totals with the grand total: in each line the inner cells add up to the total. When
   the total of a line is shown and some inner cells are hidden, their sum can be computed
   (total minus the visible parts). So the hidden inner cells of such a line must include at
   least one cell that rests on ``THRESHOLD`` or more clients: then the derived sum rests on
   at least that many. If there is none, the visible inner cell with the fewest clients (at
   least ``THRESHOLD``, never a 0) is hidden too; if no inner cell qualifies, the total is.
   A line with exactly one hidden cell always gets a second one by the same choice.
3. **Audit by linear algebra.** Rules 1–2 work line by line; a hidden cell could still follow
   from several lines together. Every hidden cell is checked: it is derivable when its unit
   vector lies in the row space of the line equations restricted to the hidden cells. Each
   derivable cell gets a partner hidden in its row (or column), and rules 2–3 run again,
   until nothing hidden can be derived. Hiding only ever grows, so this ends (at worst with
   the whole table hidden).
4. **Forced cells.** :func:`suppress_tables` runs several tables that share their row totals
   (the same groups counted the same way) together: a total hidden in one is hidden in all,
   and the rules run again until all agree. So two tables never show the same total once
   hidden and once visible.

Differencing over *filters* is handled by the caller, not here: the dashboards offer only
disjoint periods (whole calendar quarters), and the rows a viewer sees are always cut from the
one suppressed table of the whole organisation. See ``docs/dashboards.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

#: The smallest number of clients a shown figure may rest on.
THRESHOLD = 5

#: A cell of a table: ``(row, column)`` for inner cells; ``(row, None)`` for a row total,
#: ``(None, column)`` for a column total and ``(None, None)`` for the grand total.
Key = tuple[int | None, int | None]


@dataclass(frozen=True)
class Cell:
    """A count and the number of distinct clients it rests on."""

    value: int
    clients: int

    def __post_init__(self) -> None:
        if self.value < 0 or self.clients < 0:
            raise ValueError("a cell's value and clients cannot be negative")
        if self.value == 0 and self.clients != 0:
            raise ValueError("a cell with value 0 rests on no clients")


@dataclass(frozen=True)
class Table:
    """A rows × columns table of counts with its row totals, column totals and grand total.

    ``cells[r][c]`` must add up to ``row_totals[r]`` across each row and to
    ``column_totals[c]`` down each column; both sets of totals to ``total``. A table without
    columns (``cells`` rows empty) is a list of groups with a total.
    """

    cells: Sequence[Sequence[Cell]]
    row_totals: Sequence[Cell]
    column_totals: Sequence[Cell]
    total: Cell

    def __post_init__(self) -> None:
        n_columns = len(self.column_totals)
        if len(self.cells) != len(self.row_totals):
            raise ValueError("one row total per row")
        if any(len(row) != n_columns for row in self.cells):
            raise ValueError("every row has one cell per column")
        if n_columns:
            for r, row in enumerate(self.cells):
                if sum(c.value for c in row) != self.row_totals[r].value:
                    raise ValueError(f"row {r} does not add up to its total")
            for c in range(n_columns):
                if sum(row[c].value for row in self.cells) != self.column_totals[c].value:
                    raise ValueError(f"column {c} does not add up to its total")
            if sum(c.value for c in self.column_totals) != self.total.value:
                raise ValueError("the column totals do not add up to the total")
        if sum(c.value for c in self.row_totals) != self.total.value:
            raise ValueError("the row totals do not add up to the total")

    @property
    def n_rows(self) -> int:
        return len(self.row_totals)

    @property
    def n_columns(self) -> int:
        return len(self.column_totals)

    def cell(self, key: Key) -> Cell:
        row, column = key
        if row is None and column is None:
            return self.total
        if row is None:
            assert column is not None
            return self.column_totals[column]
        if column is None:
            return self.row_totals[row]
        return self.cells[row][column]

    def all_keys(self) -> list[Key]:
        keys: list[Key] = [(r, c) for r in range(self.n_rows) for c in range(self.n_columns)]
        keys += [(r, None) for r in range(self.n_rows)]
        keys += [(None, c) for c in range(self.n_columns)]
        keys.append((None, None))
        return keys

    def lines(self) -> list[Line]:
        """Every equation "inner cells add up to the total" that the table publishes."""
        lines: list[Line] = []
        if self.n_columns:
            for r in range(self.n_rows):
                lines.append(
                    Line(inner=tuple((r, c) for c in range(self.n_columns)), total=(r, None))
                )
            for c in range(self.n_columns):
                lines.append(Line(inner=tuple((r, c) for r in range(self.n_rows)), total=(None, c)))
            lines.append(
                Line(inner=tuple((None, c) for c in range(self.n_columns)), total=(None, None))
            )
        lines.append(Line(inner=tuple((r, None) for r in range(self.n_rows)), total=(None, None)))
        return lines


@dataclass(frozen=True)
class Line:
    inner: tuple[Key, ...]
    total: Key


@dataclass
class Suppressed:
    """A table and the cells hidden in it, with the reason per hidden cell."""

    table: Table
    hidden: dict[Key, str] = field(default_factory=dict)

    def is_hidden(self, key: Key) -> bool:
        return key in self.hidden

    def value(self, key: Key) -> int | None:
        """The cell's value, or ``None`` when it is hidden."""
        return None if key in self.hidden else self.table.cell(key).value


#: Reasons why a cell is hidden.
PRIMARY = "primary"
COMPLEMENTARY = "complementary"


def _is_primary(cell: Cell, threshold: int) -> bool:
    return cell.value != 0 and cell.clients < threshold


def _partner(
    table: Table, candidates: Iterable[Key], hidden: Mapping[Key, str], threshold: int
) -> Key | None:
    """The visible cell with the fewest clients (≥ threshold) among ``candidates``."""
    eligible = [
        key for key in candidates if key not in hidden and table.cell(key).clients >= threshold
    ]
    if not eligible:
        return None
    # Ties: the smaller value, then the first in reading order, so the result is stable.
    return min(eligible, key=lambda k: (table.cell(k).clients, table.cell(k).value))


def _complete_lines(table: Table, hidden: dict[Key, str], threshold: int) -> bool:
    """Apply rule 2 to every line once; report whether anything was hidden."""
    changed = False
    for line in table.lines():
        hidden_inner = [k for k in line.inner if k in hidden]
        total_hidden = line.total in hidden
        n_hidden = len(hidden_inner) + total_hidden
        if n_hidden == 0:
            continue
        covered = any(table.cell(k).clients >= threshold for k in hidden_inner)
        if n_hidden >= 2 and (total_hidden or covered):
            continue
        partner = _partner(table, line.inner, hidden, threshold)
        if partner is None and not total_hidden:
            partner = line.total
        if partner is None:
            # Only the total and zeros are left: everything that could be hidden is.
            partner = next((k for k in line.inner if k not in hidden), None)
        if partner is None:
            continue
        hidden[partner] = COMPLEMENTARY
        changed = True
    return changed


#: Null-space components smaller than this count as zero (the vectors are unit length).
_NULL_TOLERANCE = 1e-8


def hidden_equations(
    table: Table, hidden: Mapping[Key, str]
) -> tuple[list[Key], npt.NDArray[np.float64] | None]:
    """The hidden cells in order, and the lines as equations in them (one row per line).

    A line's visible cells are known numbers, so each line that touches a hidden cell says
    "these hidden cells add up to a known number"; ``None`` when no line touches one.
    """
    hidden_keys = [k for k in table.all_keys() if k in hidden]
    index = {k: i for i, k in enumerate(hidden_keys)}
    rows = []
    for line in table.lines():
        vector = np.zeros(len(hidden_keys))
        for k in line.inner:
            if k in index:
                vector[index[k]] += 1.0
        if line.total in index:
            vector[index[line.total]] -= 1.0
        if vector.any():
            rows.append(vector)
    return hidden_keys, (np.vstack(rows) if rows else None)


def derivable(table: Table, hidden: Mapping[Key, str]) -> list[Key]:
    """The hidden cells whose value follows exactly from the visible cells and the lines."""
    hidden_keys, matrix = hidden_equations(table, hidden)
    if matrix is None:
        return []
    # A hidden cell follows from the published lines exactly when its unit vector lies in the
    # row space of ``matrix``, i.e. when every vector of the null space is zero at that cell.
    # One SVD answers it for all cells at once (a rank test per cell costs one SVD each, which
    # an organisation with hundreds of teams cannot afford on every page view).
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    tolerance = singular.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps
    rank = int((singular > tolerance).sum())
    null_space = vt[rank:]
    if null_space.size == 0:
        return hidden_keys
    free = np.abs(null_space).max(axis=0) > _NULL_TOLERANCE
    return [k for i, k in enumerate(hidden_keys) if not free[i]]


def _protect(table: Table, key: Key, hidden: dict[Key, str], threshold: int) -> bool:
    """Hide one more cell in a line through ``key``; report whether one was found."""
    for line in table.lines():
        if key == line.total or key in line.inner:
            members = [*line.inner, line.total]
            partner = _partner(table, members, hidden, threshold)
            if partner is None:
                partner = next((k for k in members if k not in hidden), None)
            if partner is not None:
                hidden[partner] = COMPLEMENTARY
                return True
    return False


def suppress(table: Table, *, threshold: int = THRESHOLD, force: Iterable[Key] = ()) -> Suppressed:
    """Hide what rests on fewer than ``threshold`` clients, and what would give it away.

    ``force`` names cells to hide in any case (a total hidden in a linked table).
    """
    hidden: dict[Key, str] = {}
    for key in table.all_keys():
        if _is_primary(table.cell(key), threshold):
            hidden[key] = PRIMARY
    for key in force:
        hidden.setdefault(key, COMPLEMENTARY)
    while True:
        while _complete_lines(table, hidden, threshold):
            pass
        exposed = derivable(table, hidden)
        if not exposed:
            break
        if not any(_protect(table, key, hidden, threshold) for key in exposed):
            break  # pragma: no cover - every cell of every line is already hidden
    return Suppressed(table=table, hidden=hidden)


def suppress_tables(tables: Sequence[Table], *, threshold: int = THRESHOLD) -> list[Suppressed]:
    """Suppress tables that share their row totals and grand total, consistently.

    The tables must have the same rows; a row total (or the grand total) hidden in one of them
    is hidden in all of them.
    """
    if len({t.n_rows for t in tables}) > 1:
        raise ValueError("linked tables must have the same rows")
    forced: set[Key] = set()
    while True:
        results = [suppress(t, threshold=threshold, force=forced) for t in tables]
        margins = {
            key
            for result in results
            for key in result.hidden
            if key[1] is None  # row totals and the grand total
        }
        if margins <= forced:
            return results
        forced |= margins
