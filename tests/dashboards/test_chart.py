"""The dashboard bar chart: readable labels, no figure of a hidden cell."""

from __future__ import annotations

import re

from alliantiemonitor.dashboards.presenting import ShownCell, ShownRow, ShownTable
from alliantiemonitor.dashboards.svg_team import bar_chart


def _table() -> ShownTable:
    return ShownTable(
        key="rounds",
        title="Rounds <opened>",
        unit="rounds",
        columns=["Discussed", "Overdue"],
        rows=[
            ShownRow(
                label="Team Noord", cells=[ShownCell(12), ShownCell(None)], total=ShownCell(15)
            )
        ],
    )


def test_labels_are_html_text_so_they_keep_the_body_size():
    chart = str(bar_chart(_table(), "chart-rounds"))
    # SVG text in a viewBox shrinks with the chart; the labels must not be SVG text.
    assert "<text" not in chart
    assert '<span class="am-dash__label">Discussed</span>' in chart
    assert '<p class="am-dash__group-label">Team Noord</p>' in chart
    assert 'role="img"' in chart
    assert 'aria-label="Rounds &lt;opened&gt;"' in chart
    # Colours and sizes come from the stylesheet (strict CSP: no style attributes).
    assert "style=" not in chart


def test_a_hidden_cell_gets_no_bar_and_no_number():
    chart = str(bar_chart(_table(), "chart-rounds"))
    assert len(re.findall(r"<rect ", chart)) == 1
    assert 'width="100.0"' in chart
    overdue = chart.split("Overdue</span>")[1]
    assert overdue.startswith('<span class="am-dash__hidden">')
    assert "15" not in chart
