"""Where the language switch sends the browser back to."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.simple_tag(takes_context=True)
def switch_languages(context: Any, *, staff: bool = False) -> list[str]:
    """The languages the switch offers: staff pages nl/en; a client page the languages of its
    questionnaire (``questionnaire.languages``) or, without one, every client language."""
    if staff:
        return [code for code, _name in settings.STAFF_LANGUAGES]
    offered = getattr(context.get("questionnaire"), "languages", None)
    known = [code for code, _name in settings.LANGUAGES]
    return [code for code in known if offered is None or code in offered]


@register.simple_tag(takes_context=True)
def language_switch_next(context: Any) -> str:
    """The address to show again after switching language: this page, as a GET.

    A page that answers a POST (a form sent back with errors) has an address that may only
    take a POST; going back there would end on a 405. Go back to the page the form was sent
    from instead — the same-site Referer — and to this address only when there is none.
    """
    request = context.get("request")
    if request is None:
        return "/"
    if context.get("language_next"):
        # The page knows better, e.g. when its own address must not be opened again.
        return str(context["language_next"])
    if request.method in ("GET", "HEAD"):
        return str(request.get_full_path())
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return str(request.get_full_path())
