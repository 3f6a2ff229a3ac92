"""SVG figures of the study report, drawn here (no plotting library): bars, lines, steps.

Every figure is ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` for screen readers
and a caption; the page puts a table with the same numbers beside it. Coordinates are written
with fixed digits, so the same numbers always give the same bytes (reruns stay identical).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from alliantiemonitor.core.research.report_text import Words

#: Colour per pattern, class or curve; the table beside each figure has the numbers without colour.
_PALETTE = ("#1b6ca8", "#3a9d5d", "#c2452d", "#e0a526", "#8c8c8c", "#6a4c93")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _n(value: float) -> str:
    """A coordinate: fixed digits, so the same numbers always draw the same figure."""
    return f"{value:.1f}"


def _figure(ident: str, caption: str, description: str, width: int, height: int, body: str) -> str:
    return (
        f"<figure><svg role='img' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}' "
        # As attributes, not only page CSS: a PDF renderer may not apply CSS inside an SVG.
        "font-family='system-ui, sans-serif' font-size='12' fill='#1a1a1a' "
        f"aria-labelledby='{ident}-title {ident}-desc'>"
        f"<title id='{ident}-title'>{_e(caption)}</title>"
        f"<desc id='{ident}-desc'>{_e(description)}</desc>{body}</svg>"
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _legend(labels: Sequence[str], x: float, y: float) -> str:
    parts = []
    for index, label in enumerate(labels):
        top = y + index * 18
        colour = _PALETTE[index % len(_PALETTE)]
        parts.append(
            f"<rect x='{_n(x)}' y='{_n(top)}' width='12' height='12' fill='{colour}'/>"
            f"<text x='{_n(x + 18)}' y='{_n(top + 10)}'>{_e(label)}</text>"
        )
    return "".join(parts)


def _axes(left: float, top: float, width: float, height: float) -> str:
    return (
        f"<line x1='{_n(left)}' y1='{_n(top)}' x2='{_n(left)}' y2='{_n(top + height)}' "
        "stroke='#1a1a1a'/>"
        f"<line x1='{_n(left)}' y1='{_n(top + height)}' x2='{_n(left + width)}' "
        f"y2='{_n(top + height)}' stroke='#1a1a1a'/>"
    )


def _axis_titles(x_title: str, y_title: str, left: float, top: float, w: float, h: float) -> str:
    return (
        f"<text x='{_n(left + w / 2)}' y='{_n(top + h + 30)}' text-anchor='middle'>"
        f"{_e(x_title)}</text>"
        f"<text transform='translate(14 {_n(top + h / 2)}) rotate(-90)' text-anchor='middle'>"
        f"{_e(y_title)}</text>"
    )


def _ticks(
    values: Sequence[float], to_x: Callable[[float], float] | None, to_y: Callable[[float], float]
) -> str:
    """Tick labels along the y axis (``to_x`` None) or the x axis."""
    parts = []
    for value in values:
        label = f"{value:g}"
        if to_x is None:
            parts.append(
                f"<text x='52' y='{_n(to_y(value) + 4)}' text-anchor='end'>{_e(label)}</text>"
            )
        else:
            parts.append(
                f"<text x='{_n(to_x(value))}' y='{_n(to_y(0.0) + 16)}' text-anchor='middle'>"
                f"{_e(label)}</text>"
            )
    return "".join(parts)


def share_chart(shares: Sequence[Mapping[str, Any]], w: Words) -> str:
    """Stacked bars of the pattern shares; raters, characteristics and patterns as shown."""
    patterns = list(dict.fromkeys(s["pattern"] for s in shares))
    bars = list(dict.fromkeys((s["rater"], s["characteristic"]) for s in shares))
    left, top, width, row = 170.0, 10.0, 420.0, 24.0
    height = top + row * len(bars) + 30
    body = [_axes(left, top, width, row * len(bars))]
    for index, (rater, characteristic) in enumerate(bars):
        y = top + index * row + 4
        body.append(
            f"<text x='{_n(left - 6)}' y='{_n(y + 12)}' text-anchor='end'>"
            f"{_e(rater)} · {_e(characteristic)}</text>"
        )
        x = left
        for s in shares:
            if (s["rater"], s["characteristic"]) != (rater, characteristic):
                continue
            share = s["share"] or 0.0
            colour = _PALETTE[patterns.index(s["pattern"]) % len(_PALETTE)]
            body.append(
                f"<rect x='{_n(x)}' y='{_n(y)}' width='{_n(share * width)}' height='16' "
                f"fill='{colour}'><title>{_e(s['pattern'])}: {share:.3f}</title></rect>"
            )
            x += share * width
    for tick in (0.0, 0.5, 1.0):
        body.append(
            f"<text x='{_n(left + tick * width)}' y='{_n(height - 8)}' text-anchor='middle'>"
            f"{tick:g}</text>"
        )
    body.append(_legend(patterns, left + width + 20, top))
    return _figure(
        "fig-change",
        w("Share of trajectories per reliable-change pattern, per rater and characteristic"),
        w(
            "Stacked bars, one per rater and characteristic, each summing to 1; the table below "
            "gives every share."
        ),
        int(left + width + 150),
        int(height),
        "".join(body),
    )


def class_chart(classes: Sequence[Mapping[str, Any]], rounds: int, w: Words) -> str:
    """One line per trajectory class: its mean alliance from round 0 to the last round."""
    left, top, width, height = 60.0, 10.0, 420.0, 220.0
    ends = [float(c["intercept"] + c["slope"] * x) for c in classes for x in (0, rounds)]
    low, high = math.floor(min(ends) * 2) / 2, math.ceil(max(ends) * 2) / 2
    if high - low < 0.5:
        high = low + 0.5

    def to_x(value: float) -> float:
        return left + width * value / rounds

    def to_y(value: float) -> float:
        return top + height * (high - value) / (high - low)

    body = [_axes(left, top, width, height)]
    body.append(_ticks([low, (low + high) / 2, high], None, to_y))
    body.append(_ticks([float(x) for x in range(rounds + 1)], to_x, lambda _: top + height))
    body.append(_axis_titles(w("round"), w("alliance"), left, top, width, height))
    labels = []
    for index, c in enumerate(classes):
        colour = _PALETTE[index % len(_PALETTE)]
        y0, y1 = c["intercept"], c["intercept"] + c["slope"] * rounds
        body.append(
            f"<line x1='{_n(to_x(0))}' y1='{_n(to_y(y0))}' x2='{_n(to_x(rounds))}' "
            f"y2='{_n(to_y(y1))}' stroke='{colour}' stroke-width='3'/>"
        )
        labels.append(w("class {label} (n = {n})", label=c["class"], n=c["size"]))
    body.append(_legend(labels, left + width + 20, top))
    return _figure(
        "fig-classes",
        w("Mean course of the alliance per trajectory class (intercept + slope × round)"),
        w("One line per class from round 0 to the last round; the class table gives the numbers."),
        int(left + width + 170),
        int(top + height + 40),
        "".join(body),
    )


def km_chart(curves: Sequence[Mapping[str, Any]], w: Words) -> str:
    """Kaplan–Meier step curves, one per group (groups as shown)."""
    left, top, width, height = 60.0, 10.0, 420.0, 220.0
    horizon = max([float(row["time"]) for c in curves for row in c["table"]] + [1.0])

    def to_x(value: float) -> float:
        return left + width * value / horizon

    def to_y(value: float) -> float:
        return top + height * (1.0 - value)

    body = [_axes(left, top, width, height), _ticks([0.0, 0.5, 1.0], None, to_y)]
    step = 12.0 if horizon > 24 else 6.0
    body.append(
        _ticks([step * i for i in range(int(horizon // step) + 1)], to_x, lambda _: top + height)
    )
    body.append(
        _axis_titles(w("months since the end"), w("without recidivism"), left, top, width, height)
    )
    for index, curve in enumerate(curves):
        colour = _PALETTE[index % len(_PALETTE)]
        points = [f"{_n(to_x(0))},{_n(to_y(1.0))}"]
        level = 1.0
        for row in curve["table"]:
            points.append(f"{_n(to_x(row['time']))},{_n(to_y(level))}")
            level = row["survival"]
            points.append(f"{_n(to_x(row['time']))},{_n(to_y(level))}")
        points.append(f"{_n(to_x(horizon))},{_n(to_y(level))}")
        body.append(
            f"<polyline fill='none' stroke='{colour}' stroke-width='2' "
            f"points='{' '.join(points)}'/>"
        )
    body.append(_legend([str(c["group"]) for c in curves], left + width + 20, top))
    return _figure(
        "fig-km",
        w("Kaplan–Meier estimate of remaining without recidivism, by alliance tertile"),
        w(
            "Step curves of the share without recidivism against months since the end, one per "
            "alliance tertile; the table below gives each curve's size, events and median."
        ),
        int(left + width + 150),
        int(top + height + 40),
        "".join(body),
    )
