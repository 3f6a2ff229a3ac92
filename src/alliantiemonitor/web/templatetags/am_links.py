"""``{% load am_links %}``, then ``{% uuid_url 'monitoring:course' trajectory.uuid %}``: the
address of a page about one object, as ``{% url %}`` gives it but without its cost on every
row of a table (:func:`alliantiemonitor.common.links.reverse_uuid`)."""

from __future__ import annotations

from typing import Any

from django import template

from alliantiemonitor.common.links import reverse_uuid

register = template.Library()


@register.simple_tag
def uuid_url(viewname: str, value: Any) -> str:
    return reverse_uuid(viewname, value)
