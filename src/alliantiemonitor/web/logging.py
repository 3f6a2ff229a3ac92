"""Keep invitation secrets out of the logs."""

from __future__ import annotations

import functools
import logging
import re

#: A path below ``/m/``: its first segment, and a query string if there is one.
_CLIENT_PATH = re.compile(r"/m/(?P<segment>[^/\s\"'?#]+)(?P<slash>/?)(?P<query>\?[^\s\"']*)?")


@functools.cache
def _fixed_client_pages() -> frozenset[str]:
    """The first path segments of the fixed client pages (``start``, ``code``, …).

    Read from the URL configuration, so a new client page needs no change here. Anything else
    below ``/m/`` is a personal link's token or a short code opened as a link.
    """
    from django.urls import URLPattern, URLResolver, get_resolver

    def routes(patterns: list[object], prefix: str = "") -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            route = prefix + str(getattr(pattern, "pattern", ""))
            if isinstance(pattern, URLResolver):
                found += routes(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)
        return found

    try:
        client = get_resolver().namespace_dict["client"][1]
        pages = routes(client.url_patterns)
    except Exception:  # no URLs yet: mask every segment (fail closed)
        return frozenset()
    return frozenset(route.split("/")[0] for route in pages if "<" not in route.split("/")[0])


def _mask(match: re.Match[str]) -> str:
    segment = match["segment"]
    kept = segment if segment in _fixed_client_pages() else "…"
    # A query string on a client page could carry a code typed into the wrong form.
    return f"/m/{kept}{match['slash']}" + ("?…" if match["query"] else "")


class MaskInvitationTokens(logging.Filter):
    """Replace a personal link's token or a short code in a log line by ``…``.

    Request logs (the development server, Django's request logger) print the path, and a
    personal link's path is its secret. A short code is typed into a form (a POST body, never
    logged), but someone may also open ``/m/<code>/`` as a link: every segment below ``/m/``
    that is not a fixed client page is masked, whatever its length. A reverse proxy's access
    log needs the same care; see docs/install.md.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _CLIENT_PATH.sub(_mask, message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True
