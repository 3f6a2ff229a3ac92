"""Template filters for scores and dates: ``{% load am_format %}``, then ``{{ x|score }}``,
``{{ d|date_long }}``, ``{{ d|date_compact }}``, ``{{ t|datetime_long }}``,
``{{ round|instrument_name }}``.

Thin wrappers around :mod:`alliantiemonitor.common.formatting`, so a template and a chart built
in Python can never disagree.
"""

from __future__ import annotations

from django import template

from alliantiemonitor.common import formatting

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    return formatting.score_text(value)


register.filter("signed_score", formatting.signed_score_text)
register.filter("date_long", formatting.date_long)
register.filter("date_compact", formatting.date_compact)
register.filter("datetime_long", formatting.datetime_long)
register.filter("instrument_name", formatting.instrument_name)
