"""Keep secrets out of the logs, and write them as JSON lines when asked to."""

from __future__ import annotations

import datetime as dt
import functools
import json
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


#: Path parameters that carry a secret: a password-reset link's user and token, an
#: unsubscribe link's signed token, and the like.
_SECRET_PARAMETERS = frozenset({"uidb64", "token", "secret", "key"})
_SEGMENT = r"[^/\s\"'?#]+"


@functools.cache
def _secret_routes() -> tuple[re.Pattern[str], ...]:
    """One pattern per URL whose address carries a secret outside ``/m/`` (password reset,
    unsubscribe), read from the URL configuration so a new such URL is masked too.

    A parameter named in :data:`_SECRET_PARAMETERS` becomes a group ``s<n>`` to be masked;
    the client's pages below ``/m/`` have their own rule (:func:`_mask`).
    """
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    def routes(patterns: list[object], prefix: str = "") -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            inner = getattr(pattern, "pattern", None)
            if not isinstance(inner, RoutePattern):
                continue
            route = prefix + str(inner)
            if isinstance(pattern, URLResolver):
                found += routes(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)
        return found

    try:
        every = routes(get_resolver().url_patterns)
    except Exception:  # no URLs yet
        return ()
    compiled = []
    for route in every:
        if route.startswith("m/"):
            continue
        parts = re.split(r"<(?:\w+:)?(\w+)>", route)
        names = parts[1::2]
        if not _SECRET_PARAMETERS.intersection(names):
            continue
        regex = "/" + re.escape(parts[0])
        for index, name in enumerate(names):
            group = f"s{index}" if name in _SECRET_PARAMETERS else f"p{index}"
            regex += f"(?P<{group}>{_SEGMENT})" + re.escape(parts[2 * index + 2])
        compiled.append(re.compile(regex))
    return tuple(compiled)


def _mask_secret_segments(match: re.Match[str]) -> str:
    text, start = [], match.start()
    for name, value in match.groupdict().items():
        if value is None:
            continue
        begin, end = match.span(name)
        text.append(match.string[start:begin])
        text.append("…" if name.startswith("s") else value)
        start = end
    text.append(match.string[start : match.end()])
    return "".join(text)


def _mask_paths(text: str) -> str:
    """``text`` with personal link tokens below ``/m/`` and other secret path parts masked."""
    text = _CLIENT_PATH.sub(_mask, text)
    for pattern in _secret_routes():
        text = pattern.sub(_mask_secret_segments, text)
    return text


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
        masked = _mask_paths(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True


#: A word that names a secret: link tokens, short codes, passwords, session and CSRF cookies,
#: API keys.
_SECRET_NAME = r"[\w-]*(?:token|code|passw(?:or)?d|secret|session|csrf|key|invitation)[\w-]*"  # noqa: S105 (a pattern, not a password)
#: ``name=value`` (query strings, form bodies) and ``"name": "value"`` (JSON) with such a name.
_SECRET_PAIR = re.compile(
    rf"(?P<name>\b{_SECRET_NAME})(?P<sep>=|\"\s*:\s*\"?)(?P<value>[^\s&;,\"']+)",
    re.IGNORECASE,
)
#: An ``Authorization`` or ``Cookie`` header quoted whole, up to the end of the line.
_SECRET_HEADER = re.compile(
    r"(?P<name>\b(?:authorization|(?:set-)?cookie)\b\"?\s*[:=]\s*)[^\n]+", re.IGNORECASE
)


def redact(text: str) -> str:
    """``text`` without personal link tokens, codes, passwords, cookies or API keys."""
    text = _mask_paths(text)
    text = _SECRET_HEADER.sub(lambda m: f"{m['name']}…", text)
    return _SECRET_PAIR.sub(lambda m: f"{m['name']}{m['sep']}…", text)


class RequestContextFilter(logging.Filter):
    """Put the current request's id on every log record (``None`` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from alliantiemonitor.web.request_id import current_request_id

        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and, for access
    lines, method, path, status, duration, CPU time and view (``ALLIANTIEMONITOR_LOG_FORMAT=json``).

    Only these named fields are written, never a record's other attributes (Django's request
    log puts the request object there, cookies and all), and every text passes ``redact``.
    """

    _ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "cpu_ms", "view")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for name in self._ACCESS_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = redact(value) if isinstance(value, str) else value
        if "status" not in entry and isinstance(getattr(record, "status_code", None), int):
            entry["status"] = record.status_code  # type: ignore[attr-defined]
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
