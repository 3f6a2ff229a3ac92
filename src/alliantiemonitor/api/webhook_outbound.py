"""Calling a webhook endpoint without becoming a way into the server's own network.

An organisation admin types the address, so the address is not trusted: a call to
``https://10.0.0.5/`` or to a name that resolves to ``127.0.0.1`` would reach services that
are meant to be reachable only from inside. Therefore:

* only ``https`` (``http`` too when ``ALLIANTIEMONITOR_WEBHOOK_ALLOW_PRIVATE`` is on, for tests
  and a development machine), no user name or password in the address;
* the host is resolved once and every address it resolves to must be public (not private,
  loopback, link-local, multicast, reserved, unspecified or shared), unless the allowance is on;
* the connection goes to the address that was checked, with the name only in the TLS
  handshake and the ``Host`` header, so a second DNS answer cannot swap in another address
  (DNS rebinding);
* redirects are not followed (``http.client`` never follows them; a 3xx is a failure);
* every connect and read gives up after ``WEBHOOK_TIMEOUT`` seconds, the whole call after
  three times that, and only the first characters of the answer are read.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.api.constants import WEBHOOK_RESPONSE_KEPT, WEBHOOK_TIMEOUT
from alliantiemonitor.common.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Bytes of the answer read at most; the rest is left unread.
_READ_AT_MOST = 1024

logger = logging.getLogger(__name__)
#: What a delivery's last error says when the address may not or cannot be called.
NOT_ALLOWED = "address not allowed or not reachable"
#: The whole call (connect, send, answer) is cut off after this many single time-outs.
_WHOLE_CALL_TIMEOUTS = 3


class UnsafeWebhookUrl(DomainError):
    code = "unsafe_webhook_url"
    default_message = _(
        "The address must start with https:// and name a server on the internet "
        "(not an address of an internal network)."
    )


class WebhookCallFailed(Exception):
    """The call did not get an answer: refused address, name unknown, no connection, time-out."""


@dataclass(frozen=True)
class Answer:
    status: int
    #: The start of the answer's body, at most ``WEBHOOK_RESPONSE_KEPT`` characters.
    text: str


def allow_private() -> bool:
    return bool(getattr(settings, "ALLIANTIEMONITOR_WEBHOOK_ALLOW_PRIVATE", False))


def address_is_public(address: IPAddress) -> bool:
    """Whether ``address`` is on the public internet (an IPv4 address in IPv6 counts as itself)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def url_check(url: Any, *, private_allowed: bool | None = None) -> Target:
    """The parts of ``url`` if its form is acceptable; :class:`UnsafeWebhookUrl` otherwise.

    Checks the scheme, that there is a host and no credentials, and, for an address written as
    an IP address, that it is public. Names are resolved only when calling (:func:`post`).
    """
    private_allowed = allow_private() if private_allowed is None else private_allowed
    if not isinstance(url, str) or len(url) > 500:
        raise UnsafeWebhookUrl()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeWebhookUrl() from None
    schemes = ("https", "http") if private_allowed else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        raise UnsafeWebhookUrl()
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UnsafeWebhookUrl()
    host = parts.hostname
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not private_allowed and not address_is_public(literal):
        raise UnsafeWebhookUrl()
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
    )


def resolve(host: str, port: int, *, private_allowed: bool) -> str:
    """The address to connect to for ``host``; every address it resolves to must be allowed."""
    # One reason for the admin whatever the cause: which internal names the server can
    # resolve is not the admin's to learn from the delivery list (the log has the detail).
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        logger.info("webhook address %s: name not resolved", host)
        raise WebhookCallFailed(NOT_ALLOWED) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
    if not addresses:
        logger.info("webhook address %s: name not resolved", host)
        raise WebhookCallFailed(NOT_ALLOWED)
    if not private_allowed:
        refused = [str(a) for a in addresses if not address_is_public(a)]
        if refused:
            logger.info("webhook address %s: resolves to non-public %s", host, refused)
            raise WebhookCallFailed(NOT_ALLOWED)
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to an address that was checked; ``host`` is only the Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to an address that was checked, with the certificate checked against ``host``."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _Watchdog:
    """Shut a connection's socket after ``seconds``, whatever it is waiting for.

    The socket's time-out bounds each wait on its own; a server that answers one byte at a
    time, just inside it, would otherwise keep a worker for as long as it liked. A cut-off
    call counts as failed even when what arrived looks complete (``http.client`` takes the
    end of the connection for the end of the headers).
    """

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.connection = connection
        self.fired = threading.Event()
        self.timer = threading.Timer(seconds, self._cut)
        self.timer.daemon = True
        self.timer.start()

    def _cut(self) -> None:
        self.fired.set()
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.timer.cancel()


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url`` under the rules above and return the answer's status and start.

    Raises :class:`WebhookCallFailed` when there is no answer (a refused address included),
    with a short reason; :class:`UnsafeWebhookUrl` for an address that is not acceptable.
    """
    private_allowed = allow_private()
    target = url_check(url, private_allowed=private_allowed)
    address = resolve(target.host, target.port, private_allowed=private_allowed)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        target.host, target.port, address=address, timeout=WEBHOOK_TIMEOUT
    )
    watchdog = _Watchdog(connection, WEBHOOK_TIMEOUT * _WHOLE_CALL_TIMEOUTS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        start = response.read(_READ_AT_MOST)
    except (OSError, http.client.HTTPException) as exc:
        # The kind of failure only; the exception's text (ports, TLS details) goes to the log.
        reason = "timed out" if isinstance(exc, TimeoutError) else "no connection or no answer"
        if watchdog.fired.is_set():
            reason = "timed out (whole call)"
        logger.info("webhook call to %s failed: %s: %s", target.host, type(exc).__name__, exc)
        raise WebhookCallFailed(reason) from exc
    finally:
        watchdog.stop()
        connection.close()
    if watchdog.fired.is_set():
        raise WebhookCallFailed("timed out (whole call)")
    text = start.decode("utf-8", "replace")[:WEBHOOK_RESPONSE_KEPT]
    return Answer(status=response.status, text=text)
