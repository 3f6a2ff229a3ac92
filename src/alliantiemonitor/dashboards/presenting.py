"""Turn the suppressed dashboard into rows for a page, a chart and a CSV file.

A hidden cell never carries its number past this module: it becomes ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from alliantiemonitor.dashboards.team import Dashboard, FigureTable


@dataclass
class ShownCell:
    value: int | None
    #: Share of the row total in per cent, when both are shown.
    percent: float | None = None

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass
class ShownRow:
    label: str
    cells: list[ShownCell]
    total: ShownCell
    mean: float | None = None
    is_total: bool = False


@dataclass
class ShownTable:
    key: str
    title: str
    unit: str
    columns: list[str]
    rows: list[ShownRow] = field(default_factory=list)
    has_means: bool = False

    @property
    def any_hidden(self) -> bool:
        return any(cell.hidden for row in self.rows for cell in [*row.cells, row.total])


def _row(table: FigureTable, row: int | None, label: str, *, is_total: bool) -> ShownRow:
    result = table.result
    total = result.value((row, None))
    cells = []
    for c in range(len(table.columns)):
        value = result.value((row, c))
        percent = 100 * value / total if value is not None and total else None
        cells.append(ShownCell(value, percent))
    return ShownRow(
        label=label,
        cells=cells,
        total=ShownCell(total),
        mean=table.means.get(row),
        is_total=is_total,
    )


def present(dashboard: Dashboard, rows: Sequence[int], *, with_total: bool) -> list[ShownTable]:
    """The tables of ``dashboard`` restricted to the groups ``rows`` (and the total)."""
    shown = []
    for table in dashboard.tables:
        view = ShownTable(
            key=table.key,
            title=str(table.title),
            unit=table.unit,
            columns=[str(label) for _key, label in table.columns],
            has_means=bool(table.means) or table.key.startswith("scores-"),
        )
        for r in rows:
            view.rows.append(_row(table, r, dashboard.groups[r].label, is_total=False))
        if with_total:
            view.rows.append(_row(table, None, _("Whole organisation"), is_total=True))
        shown.append(view)
    return shown


def csv_rows(dashboard: Dashboard, tables: Sequence[ShownTable]) -> list[list[str]]:
    """The same aggregates as the page, one line per shown figure; hidden cells stay empty."""
    hidden = _("suppressed (fewer than 5 clients)")
    lines = [[_("period"), _("table"), _("group"), _("category"), _("value"), _("note")]]
    for table in tables:
        for row in table.rows:
            pairs = [*zip(table.columns, row.cells, strict=True), (_("total"), row.total)]
            for column, cell in pairs:
                lines.append(
                    [
                        dashboard.period.key,
                        table.title,
                        row.label,
                        column,
                        "" if cell.hidden else str(cell.value),
                        hidden if cell.hidden else "",
                    ]
                )
            if table.has_means:
                lines.append(
                    [
                        dashboard.period.key,
                        table.title,
                        row.label,
                        _("mean score"),
                        "" if row.mean is None else f"{row.mean:.2f}",
                        hidden if row.mean is None and row.total.hidden else "",
                    ]
                )
    return lines
