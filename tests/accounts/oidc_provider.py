"""A small OpenID Connect provider on loopback, for testing single sign-on end to end.

It speaks real HTTP on ``127.0.0.1:<free port>`` from a thread, so mozilla-django-oidc runs
unmocked: discovery, the authorization endpoint (redirects back with a code and the state), the
token endpoint (client secret, single-use code, redirect URI and PKCE checked; an RS256-signed id
token), the JWKS, userinfo and the logout endpoint. A test chooses who logs in
(:attr:`OidcProvider.claims`) and how the provider misbehaves (:attr:`OidcProvider.tamper`).

Only synthetic people: the claims are whatever the test puts in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "alliantiemonitor-test"
CLIENT_SECRET = "synthetic-client-secret-for-tests"

#: Ways the provider can misbehave; a test puts some in :attr:`OidcProvider.tamper`.
TAMPERINGS = frozenset(
    {
        "nonce",  # the id token carries another nonce than the one asked for
        "expired",  # the id token expired a minute ago
        "signature",  # the id token is signed with a key that is not in the JWKS
        "audience",  # the id token is meant for another client
        "issuer",  # the id token names another issuer
        "userinfo_subject",  # userinfo describes another person than the id token
        "no_id_token",  # the token response lacks the id token
        "slow",  # the token endpoint answers after 3 seconds
    }
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64url(number: int) -> str:
    return _b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


@dataclass
class _Grant:
    """What an authorization code stands for until the token endpoint redeems it."""

    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    claims: dict[str, Any]


@dataclass
class OidcProvider:
    """The provider; use as a context manager (``with OidcProvider() as provider``)."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    #: The claims of the person who logs in next (``sub`` at least).
    claims: dict[str, Any] = field(default_factory=dict)
    tamper: set[str] = field(default_factory=set)
    #: Query parameters of every call to the logout endpoint.
    logouts: list[dict[str, str]] = field(default_factory=list)
    #: What the token endpoint refused, with the reason (for assertions and debugging).
    token_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.kid = "loopback-key-1"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server: _Server | None = None

    # --- running --------------------------------------------------------------------------

    def __enter__(self) -> OidcProvider:
        provider = self

        class Handler(_Handler):
            pass

        Handler.provider = provider
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def issuer(self) -> str:
        assert self._server is not None, "start the provider first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def settings(self, *, logout: bool = True) -> dict[str, Any]:
        """Django settings that point the app at this provider (for ``override_settings``)."""
        config = self.discovery()
        return {
            "ALLIANTIEMONITOR_SSO_ENABLED": True,
            "ALLIANTIEMONITOR_SSO_PROVIDER_NAME": "Loopback-ID",
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_ISSUER": config["issuer"],
            "OIDC_OP_AUTHORIZATION_ENDPOINT": config["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": config["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": config["userinfo_endpoint"],
            "OIDC_OP_JWKS_ENDPOINT": config["jwks_uri"],
            "OIDC_OP_LOGOUT_ENDPOINT": config["end_session_endpoint"] if logout else "",
            "OIDC_STORE_ID_TOKEN": logout,
        }

    # --- the protocol ---------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        numbers = self._key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.kid,
                    "n": _int_b64url(numbers.n),
                    "e": _int_b64url(numbers.e),
                }
            ]
        }

    def authorize(self, params: dict[str, str]) -> str:
        """Log the configured person in; return where to send the browser back to."""
        if params.get("response_type") != "code" or "openid" not in params.get("scope", ""):
            raise ValueError("unsupported request")
        if params.get("client_id") != self.client_id:
            raise ValueError("unknown client")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                nonce=params.get("nonce"),
                code_challenge=params.get("code_challenge"),
                claims=dict(self.claims),
            )
        query = urlencode({"code": code, "state": params.get("state", "")})
        return f"{params['redirect_uri']}?{query}"

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        """Redeem a code; raise ``ValueError`` with the OAuth error for a bad request."""
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != self.client_id or secret != self.client_secret:
            raise ValueError("invalid_client")
        if form.get("grant_type") != "authorization_code":
            raise ValueError("unsupported_grant_type")
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            raise ValueError("invalid_grant")
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "").encode("ascii")
            if _b64url(hashlib.sha256(verifier).digest()) != grant.code_challenge:
                raise ValueError("invalid_grant")
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = grant.claims
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            **({} if "no_id_token" in self.tamper else {"id_token": self.id_token(grant)}),
        }

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        payload = {
            "iss": "http://evil.invalid" if "issuer" in self.tamper else self.issuer,
            "aud": "another-client" if "audience" in self.tamper else grant.client_id,
            "iat": now - 600 if "expired" in self.tamper else now,
            "exp": now - 60 if "expired" in self.tamper else now + 300,
            "nonce": "not-the-nonce" if "nonce" in self.tamper else grant.nonce,
            **grant.claims,
        }
        key = self._other_key if "signature" in self.tamper else self._key
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": self.kid})

    def userinfo(self, access_token: str) -> dict[str, Any] | None:
        with self._lock:
            claims = self._access_tokens.get(access_token)
        if claims is None:
            return None
        if "userinfo_subject" in self.tamper:
            return {**claims, "sub": "someone-else"}
        return dict(claims)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The app giving up on a slow answer closes the connection: expected, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def point_app_at(settings: Any, provider: OidcProvider) -> OidcProvider:
    """Configure the app (pytest-django's ``settings``) for ``provider``, as the environment
    would: the provider's settings, and the backend that settings.py adds when SSO is on."""
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "alliantiemonitor.accounts.sso.SsoBackend",
    ]
    return provider


class _Handler(BaseHTTPRequestHandler):
    provider: OidcProvider

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet test output

    def _json(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        provider = self.provider
        if url.path == "/.well-known/openid-configuration":
            self._json(provider.discovery())
        elif url.path == "/jwks":
            self._json(provider.jwks())
        elif url.path == "/authorize":
            try:
                self._redirect(provider.authorize(params))
            except (ValueError, KeyError) as exc:
                self._json({"error": "invalid_request", "error_description": str(exc)}, 400)
        elif url.path == "/userinfo":
            auth = self.headers.get("Authorization", "")
            claims = provider.userinfo(auth.removeprefix("Bearer "))
            if claims is None:
                self._json({"error": "invalid_token"}, 401)
            else:
                self._json(claims)
        elif url.path == "/logout":
            provider.logouts.append(params)
            self._redirect(params.get("post_logout_redirect_uri") or provider.issuer)
        else:
            self._json({"error": "not_found"}, 404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path != "/token":
            self._json({"error": "not_found"}, 404)
            return
        basic = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            basic = (user, password)
        if "slow" in self.provider.tamper:
            time.sleep(3)
        try:
            self._json(self.provider.token(form, basic))
        except ValueError as exc:
            self.provider.token_errors.append(str(exc))
            self._json({"error": str(exc)}, 400)
