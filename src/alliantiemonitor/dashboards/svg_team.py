"""Bar charts of the dashboard tables: labels in HTML, bars in SVG.

One horizontal bar per shown figure, grouped by row; a hidden figure gets no bar but the word
"hidden", so the chart never hints at its size. The table next to the chart has every figure.

Why the labels are HTML and not SVG text: an SVG with a ``viewBox`` scales its text with its
width, so on a narrow column the labels shrank to about 8 px. As HTML they keep the body text
size at every width, wrap when the screen is narrow (reflow at 320 px) and follow the user's
text zoom. Only the bar itself is an SVG (``preserveAspectRatio="none"``: its length is a
share of the track). Colours and sizes come from CSS classes
(``dashboards/css/dashboard.css``, no style attributes under the strict CSP); text goes
through :func:`format_html`.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from alliantiemonitor.dashboards.presenting import ShownCell, ShownTable


def _bar(label: str, cell: ShownCell, peak: int) -> SafeString:
    if cell.value is None:
        shown = format_html(
            '<span class="am-dash__hidden">{}</span>', _("hidden (fewer than 5 clients)")
        )
    else:
        # The number before the bar, so that it stays next to its label even for a 0.
        shown = format_html(
            '<span class="am-dash__value">{}</span>'
            '<svg class="am-dash__track" viewBox="0 0 100 10" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false">'
            '<rect class="am-dash__bar" x="0" y="0" width="{}" height="10"/></svg>',
            cell.value,
            f"{100 * cell.value / peak:.1f}",
        )
    return format_html(
        '<div class="am-dash__bar-row"><span class="am-dash__label">{}</span>{}</div>',
        label,
        shown,
    )


def bar_chart(table: ShownTable, chart_id: str) -> SafeString:
    """A bar chart of ``table`` with ``role="img"``, named by its title, with a description."""
    columns = table.columns or [_("total")]
    visible = [
        cell.value
        for row in table.rows
        for cell in (row.cells if table.columns else [row.total])
        if cell.value is not None
    ]
    peak = max(visible, default=0) or 1
    groups = []
    for row in table.rows:
        cells = row.cells if table.columns else [row.total]
        pairs = zip(columns, cells, strict=True)
        bars = format_html_join("", "{}", ((_bar(label, cell, peak),) for label, cell in pairs))
        groups.append(
            format_html(
                '<div class="am-dash__group"><p class="am-dash__group-label">{}</p>{}</div>',
                row.label,
                bars,
            )
        )
    desc_id = f"{chart_id}-desc"
    return format_html(
        '<div class="am-dash__chart" id="{}" role="img" aria-label="{}" aria-describedby="{}">'
        '<span class="am-dash__sr" id="{}">{}</span>{}</div>',
        chart_id,
        table.title,
        desc_id,
        desc_id,
        _("Bar chart of the counts in the table next to it; hidden figures have no bar."),
        format_html_join("", "{}", ((g,) for g in groups)),
    )
