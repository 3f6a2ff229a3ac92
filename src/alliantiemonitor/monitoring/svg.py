"""Server-rendered SVG charts of the course over time: one small multiple per characteristic.

The charts print, work without JavaScript and carry a title and a one-sentence description
for screen readers; the data table next to each chart is the full text alternative.
Nothing in them depends on colour alone: the client is a solid line with filled circles, the
professional a dashed line with open squares, and a reliable change is a triangle pointing the
way the score moved. Colours come from CSS classes (``monitoring/css/course.css``): a strict
CSP forbids ``style`` attributes, and the classes let print styles and themes take over.

Every piece of text goes through :func:`format_html`, so a display name or a translated
string with ``<`` or ``&`` in it stays text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliantiemonitor.common.formatting import date_compact, score_text
from alliantiemonitor.monitoring.course import (
    CharacteristicCourse,
    Course,
    Handover,
    OutcomeMark,
    Point,
    RaterSeries,
)
from alliantiemonitor.monitoring.wording import (
    direction_label,
    pattern_label,
    rater_label,
)

SVG_NS = "http://www.w3.org/2000/svg"

WIDTH = 640
HEIGHT = 280
LEFT = 64
RIGHT = 24
TOP = 44
BOTTOM = 44
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM

SCALE_MIN = 1
SCALE_MAX = 5

#: Rough width of one character of a 13px label (viewBox units), to keep date labels apart.
CHAR_WIDTH = 7.2


def _n(value: float) -> str:
    """A coordinate with one decimal, locale-free (SVG wants a dot)."""
    return f"{value:.1f}"


class _Scale:
    """Maps scores and moments onto the plot area."""

    def __init__(self, moments: Sequence[dt.datetime]) -> None:
        if moments:
            start, end = min(moments), max(moments)
        else:
            start = end = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        span = end - start
        # Pad so markers never sit on the edge; a single moment gets a month around it.
        pad = dt.timedelta(days=15) if span < dt.timedelta(days=1) else span * 0.05
        self.start = start - pad
        self.seconds = (end + pad - self.start).total_seconds()

    def x(self, moment: dt.datetime) -> float:
        return LEFT + (moment - self.start).total_seconds() / self.seconds * PLOT_W

    @staticmethod
    def y(score: float) -> float:
        return TOP + (SCALE_MAX - score) / (SCALE_MAX - SCALE_MIN) * PLOT_H


def _join(parts: Iterable[SafeString]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


def _grid(characteristic: CharacteristicCourse, scale: _Scale) -> SafeString:
    parts = []
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        y = _n(scale.y(value))
        parts.append(
            format_html(
                '<line class="am-course__grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="am-course__tick" x="{}" y="{}" text-anchor="end" '
                'dominant-baseline="middle">{}</text>',
                LEFT,
                y,
                WIDTH - RIGHT,
                y,
                LEFT - 8,
                y,
                value,
            )
        )
    if characteristic.is_friction:
        title = _("Score 1–5, higher = more friction")
    else:
        title = _("Score 1–5, higher = stronger")
    middle = _n(TOP + PLOT_H / 2)
    parts.append(
        format_html(
            '<text class="am-course__axis-title" x="16" y="{}" text-anchor="middle" '
            'transform="rotate(-90 16 {})">{}</text>',
            middle,
            middle,
            title,
        )
    )
    parts.append(
        format_html(
            '<line class="am-course__axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            LEFT,
            HEIGHT - BOTTOM,
            WIDTH - RIGHT,
            HEIGHT - BOTTOM,
        )
    )
    return _join(parts)


def _date_labels(course: Course, scale: _Scale) -> SafeString:
    parts = []
    last_right = float("-inf")
    for info in course.rounds:
        x = scale.x(info.at)
        parts.append(
            format_html(
                '<line class="am-course__axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
                _n(x),
                HEIGHT - BOTTOM,
                _n(x),
                HEIGHT - BOTTOM + 5,
            )
        )
        label = date_compact(info.date)
        if not info.scored:
            label = _("%(date)s (open)") % {"date": label}
        width = len(label) * CHAR_WIDTH
        # Labels near an edge grow inwards so they are never cut off.
        if x + width / 2 > WIDTH:
            anchor, text_x, left = "end", x + 6, x + 6 - width
        elif x - width / 2 < 0:
            anchor, text_x, left = "start", x - 6, x - 6
        else:
            anchor, text_x, left = "middle", x, x - width / 2
        if left < last_right + 8:
            continue  # too crowded: the table under the chart has every date
        parts.append(
            format_html(
                '<text class="am-course__tick" x="{}" y="{}" text-anchor="{}">{}</text>',
                _n(text_x),
                HEIGHT - BOTTOM + 20,
                anchor,
                label,
            )
        )
        last_right = left + width
    return _join(parts)


def _handover_markers(handovers: Sequence[Handover], scale: _Scale) -> SafeString:
    parts = []
    label = _("change of professional")
    for handover in handovers:
        x = scale.x(handover.at)
        anchor = "end" if x > LEFT + PLOT_W * 0.7 else "start"
        text_x = x - 4 if anchor == "end" else x + 4
        parts.append(
            format_html(
                '<g class="am-course__handover"><title>{}</title>'
                '<line class="am-course__handover-line" x1="{}" y1="{}" x2="{}" y2="{}" '
                'stroke-dasharray="2 3"/>'
                '<text class="am-course__handover-label" x="{}" y="{}" text-anchor="{}">{}</text>'
                "</g>",
                _("Change of professional on %(date)s: %(from)s → %(to)s")
                % {
                    "date": date_compact(handover.date),
                    "from": handover.from_name,
                    "to": handover.to_name,
                },
                _n(x),
                TOP - 14,
                _n(x),
                HEIGHT - BOTTOM,
                _n(text_x),
                TOP - 18,
                anchor,
                label,
            )
        )
    return _join(parts)


def _outcome_markers(events: Sequence[OutcomeMark], scale: _Scale) -> SafeString:
    """A diamond on the time axis per outcome event; the end is a full-height line marked
    "end". The shapes and the word carry the meaning, not colour."""
    parts = []
    axis = HEIGHT - BOTTOM
    for event in events:
        x = scale.x(event.at)
        tooltip = f"{date_compact(event.date)}: {event.label}"
        if event.is_end:
            anchor = "end" if x > LEFT + PLOT_W * 0.7 else "start"
            parts.append(
                format_html(
                    '<g class="am-course__end"><title>{}</title>'
                    '<line class="am-course__end-line" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                    '<text class="am-course__end-label" x="{}" y="{}" text-anchor="{}">{}</text>'
                    "</g>",
                    tooltip,
                    _n(x),
                    TOP - 14,
                    _n(x),
                    axis,
                    _n(x - 4 if anchor == "end" else x + 4),
                    TOP - 4,
                    anchor,
                    _("end"),
                )
            )
        else:
            path = f"M{_n(x)} {_n(axis - 7)} L{_n(x + 6)} {_n(axis)} L{_n(x)} {_n(axis + 7)} "
            path += f"L{_n(x - 6)} {_n(axis)} Z"
            parts.append(
                format_html(
                    '<path class="am-course__event" d="{}"><title>{}</title></path>',
                    path,
                    tooltip,
                )
            )
    return _join(parts)


def outcome_legend_items() -> list[tuple[SafeString, str]]:
    """(sample, words) for the legend, when the trajectory has outcome events or ended."""
    event = mark_safe('<path class="am-course__event" d="M20 3 L26 10 L20 17 L14 10 Z"/>')
    end = mark_safe('<line class="am-course__end-line" x1="20" y1="0" x2="20" y2="20"/>')
    return [
        (_legend_sample(event), _("Event in the trajectory: diamond on the time axis")),
        (_legend_sample(end), _("End of the trajectory: solid line marked “end”")),
    ]


def _legend_sample(shape: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="{}" class="am-course__legend-sample" viewBox="0 0 40 20" '
        'aria-hidden="true" focusable="false">{}</svg>',
        SVG_NS,
        shape,
    )


def _segments(points: Sequence[Point]) -> list[list[Point]]:
    """Runs of consecutive scored points of one variant; a gap or a change of variant breaks
    the line, so that no line suggests a comparison the numbers do not support."""
    runs: list[list[Point]] = []
    current: list[Point] = []
    for point in points:
        if not point.round.scored:
            continue  # a pending round is not a gap in the data yet
        if point.score is None:
            if current:
                runs.append(current)
            current = []
            continue
        if current and current[-1].round.instrument_id != point.round.instrument_id:
            runs.append(current)
            current = []
        current.append(point)
    if current:
        runs.append(current)
    return runs


def _marker(rater: str, x: float, y: float, tooltip: str) -> SafeString:
    if rater == "client":
        shape = format_html(
            '<circle class="am-course__marker am-course__marker--client" cx="{}" cy="{}" r="5"/>',
            _n(x),
            _n(y),
        )
    else:
        shape = format_html(
            '<rect class="am-course__marker am-course__marker--professional" '
            'x="{}" y="{}" width="10" height="10"/>',
            _n(x - 5),
            _n(y - 5),
        )
    return format_html("<g>{}<title>{}</title></g>", shape, tooltip)


def _change_marker(rater: str, point: Point, x: float, y: float) -> SafeString:
    change = point.change
    assert change is not None
    rising = change.difference > 0
    # Client triangles sit left of the point, the professional's right, so both can show.
    cx = x - 9 if rater == "client" else x + 9
    if rising:
        tip, base = y - 20, y - 9
    else:
        tip, base = y + 20, y + 9
    path = f"M{_n(cx)} {_n(tip)} L{_n(cx + 6)} {_n(base)} L{_n(cx - 6)} {_n(base)} Z"
    return format_html(
        '<path class="am-course__change am-course__change--{} am-course__change--{}" d="{}">'
        "<title>{}</title></path>",
        change.direction,
        "up" if rising else "down",
        path,
        f"{rater_label(rater)}: {direction_label(change)}",
    )


def _series(series: RaterSeries, scale: _Scale) -> SafeString:
    rater = series.rater
    parts = []
    for run in _segments(series.points):
        if len(run) < 2:
            continue
        points = " ".join(f"{_n(scale.x(p.round.at))},{_n(scale.y(p.score))}" for p in run)  # type: ignore[arg-type]
        if rater == "client":
            parts.append(
                format_html(
                    '<polyline class="am-course__line am-course__line--client" fill="none" '
                    'points="{}"/>',
                    points,
                )
            )
        else:
            parts.append(
                format_html(
                    '<polyline class="am-course__line am-course__line--professional" '
                    'fill="none" stroke-dasharray="7 4" points="{}"/>',
                    points,
                )
            )
    for point in series.scored_points:
        x, y = scale.x(point.round.at), scale.y(point.score)  # type: ignore[arg-type]
        tooltip = (
            f"{rater_label(rater)}, {date_compact(point.round.date)}: {score_text(point.score)}"
        )
        parts.append(_marker(rater, x, y, tooltip))
        if point.change is not None and point.change.reliable:
            parts.append(_change_marker(rater, point, x, y))
    return format_html(
        '<g class="am-course__series am-course__series--{}">{}</g>', rater, _join(parts)
    )


def _rater_summary(series: RaterSeries) -> str:
    scored = series.scored_points
    label = rater_label(series.rater)
    if not scored:
        return _("%(rater)s: no scores yet") % {"rater": label}
    if len(scored) == 1:
        return _("%(rater)s: one score, %(score)s") % {
            "rater": label,
            "score": score_text(scored[0].score),
        }
    return _("%(rater)s: from %(first)s to %(latest)s, %(pattern)s") % {
        "rater": label,
        "first": score_text(scored[0].score),
        "latest": score_text(scored[-1].score),
        "pattern": pattern_label(series.pattern),
    }


def chart_description(characteristic: CharacteristicCourse, course: Course) -> str:
    """The one-sentence summary a screen reader reads for the chart."""
    sentence = "; ".join(_rater_summary(s) for s in characteristic.series)
    if course.handovers:
        sentence += "; " + ngettext(
            "%(count)d change of professional",
            "%(count)d changes of professional",
            len(course.handovers),
        ) % {"count": len(course.handovers)}
    events = [e for e in course.events if not e.is_end]
    if events:
        sentence += "; " + ngettext(
            "%(count)d event recorded",
            "%(count)d events recorded",
            len(events),
        ) % {"count": len(events)}
    ending = next((e for e in course.events if e.is_end), None)
    if ending is not None:
        sentence += "; " + _("ended on %(date)s: %(kind)s") % {
            "date": date_compact(ending.date),
            "kind": ending.label,
        }
    return sentence + "."


def course_chart(characteristic: CharacteristicCourse, course: Course) -> SafeString:
    """The SVG chart of one characteristic: both raters' scores over the rounds."""
    moments = [r.at for r in course.rounds] + [h.at for h in course.handovers]
    moments += [e.at for e in course.events]
    scale = _Scale(moments)
    chart_id = f"am-course-{characteristic.key}"
    classes = "am-course__chart"
    if characteristic.is_friction:
        classes += " am-course__chart--friction"
    body = _join(
        [
            _grid(characteristic, scale),
            _date_labels(course, scale),
            _handover_markers(course.handovers, scale),
            _outcome_markers(course.events, scale),
            _series(characteristic.professional, scale),
            _series(characteristic.client, scale),
        ]
    )
    return format_html(
        '<svg xmlns="{}" class="{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        SVG_NS,
        classes,
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        _("%(characteristic)s over time for %(client)s: client and professional")
        % {"characteristic": characteristic.name, "client": course.trajectory.client.display_name},
        chart_id,
        chart_description(characteristic, course),
        body,
    )


def legend_svg(kind: str) -> SafeString:
    """A small sample of a line style for the legend above the charts."""
    if kind == "client":
        shape = (
            '<line class="am-course__line am-course__line--client" x1="2" y1="10" x2="38" '
            'y2="10"/><circle class="am-course__marker am-course__marker--client" cx="20" '
            'cy="10" r="5"/>'
        )
    elif kind == "professional":
        shape = (
            '<line class="am-course__line am-course__line--professional" x1="2" y1="10" '
            'x2="38" y2="10" stroke-dasharray="7 4"/><rect class="am-course__marker '
            'am-course__marker--professional" x="15" y="5" width="10" height="10"/>'
        )
    elif kind == "handover":
        shape = (
            '<line class="am-course__handover-line" x1="20" y1="0" x2="20" y2="20" '
            'stroke-dasharray="2 3"/>'
        )
    elif kind == "improved":
        shape = (
            '<path class="am-course__change am-course__change--improved" '
            'd="M20 3 L26 15 L14 15 Z"/>'
        )
    else:
        shape = (
            '<path class="am-course__change am-course__change--deteriorated" '
            'd="M20 17 L26 5 L14 5 Z"/>'
        )
    return format_html(
        '<svg xmlns="{}" class="am-course__legend-sample" viewBox="0 0 40 20" '
        'aria-hidden="true" focusable="false">{}</svg>',
        SVG_NS,
        mark_safe(shape),  # noqa: S308 - constant markup above
    )


def legend_items() -> list[tuple[SafeString, str]]:
    """(sample, words) for the legend."""
    return [
        (legend_svg("client"), _("Client: solid line, round markers")),
        (legend_svg("professional"), _("Professional: dashed line, square markers")),
        (legend_svg("handover"), _("Change of professional")),
        (
            legend_svg("improved"),
            _(
                "Reliable change since the previous round, for the better: filled triangle "
                "pointing the way the score moved"
            ),
        ),
        (
            legend_svg("deteriorated"),
            _(
                "Reliable change since the previous round, for the worse: open triangle "
                "pointing the way the score moved"
            ),
        ),
    ]
