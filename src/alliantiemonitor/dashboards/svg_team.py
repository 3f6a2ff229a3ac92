"""Server-rendered SVG bar charts of the dashboard tables, in the house style of the course.

One horizontal bar per shown figure, grouped by row; a hidden figure gets no bar but the word
"hidden", so the chart never hints at its size. The table next to the chart has every figure.
Colours come from CSS classes (``dashboards/css/dashboard.css``); text goes through
:func:`format_html`.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from alliantiemonitor.dashboards.presenting import ShownTable

WIDTH = 640
LABEL_W = 220
BAR_H = 16
GAP = 6
GROUP_GAP = 18
TOP = 8


def bar_chart(table: ShownTable, chart_id: str) -> SafeString:
    """A bar chart of ``table`` with ``role="img"``, a title and a short description."""
    columns = table.columns or [_("total")]
    visible = [
        cell.value
        for row in table.rows
        for cell in (row.cells if table.columns else [row.total])
        if cell.value is not None
    ]
    peak = max(visible, default=0) or 1
    plot_w = WIDTH - LABEL_W - 60
    parts: list[SafeString] = []
    y = TOP
    for row in table.rows:
        parts.append(
            format_html(
                '<text class="am-dash__group" x="0" y="{}">{}</text>', y + BAR_H - 3, row.label
            )
        )
        y += BAR_H + GAP
        cells = row.cells if table.columns else [row.total]
        for label, cell in zip(columns, cells, strict=True):
            parts.append(
                format_html(
                    '<text class="am-dash__label" x="{}" y="{}" text-anchor="end">{}</text>',
                    LABEL_W - 8,
                    y + BAR_H - 3,
                    label,
                )
            )
            if cell.value is None:
                parts.append(
                    format_html(
                        '<text class="am-dash__hidden" x="{}" y="{}">{}</text>',
                        LABEL_W,
                        y + BAR_H - 3,
                        _("hidden (fewer than 5 clients)"),
                    )
                )
            else:
                width = plot_w * cell.value / peak
                parts.append(
                    format_html(
                        '<rect class="am-dash__bar" x="{}" y="{}" width="{}" height="{}"/>'
                        '<text class="am-dash__value" x="{}" y="{}">{}</text>',
                        LABEL_W,
                        y,
                        f"{width:.1f}",
                        BAR_H,
                        f"{LABEL_W + width + 6:.1f}",
                        y + BAR_H - 3,
                        cell.value,
                    )
                )
            y += BAR_H + GAP
        y += GROUP_GAP
    title_id = f"{chart_id}-title"
    desc_id = f"{chart_id}-desc"
    header = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="am-dash__chart" role="img" '
        'viewBox="0 0 {} {}" aria-labelledby="{} {}"><title id="{}">{}</title>'
        '<desc id="{}">{}</desc>',
        WIDTH,
        y,
        title_id,
        desc_id,
        title_id,
        table.title,
        desc_id,
        _("Bar chart of the counts in the table next to it; hidden figures have no bar."),
    )
    body = mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html
    return format_html("{}{}</svg>", header, body)
