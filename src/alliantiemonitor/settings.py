"""The one settings module, read from the environment and failing closed.

Every setting is listed in docs/configuration.md. A value ``X`` may also come from a file named
by ``X_FILE`` (for container secrets). ``DEBUG`` is off unless the environment turns it on; there
is no built-in secret key.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
#: The source checkout (holds node_modules/ when run from a clone).
PROJECT_DIR = PACKAGE_DIR.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read ``name`` from the environment, or from the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from exc
    if not number >= minimum:  # also refuses NaN
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value!r}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in (env(name, default) or "").split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)

DATA_DIR = Path(env("ALLIANTIEMONITOR_DATA_DIR") or (Path.cwd() / "var")).resolve()

SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) in the environment; "
        "`make demo` generates one for local use."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Django's staticfiles, with ignore patterns for the npm packages (see web/apps.py).
    "alliantiemonitor.web.apps.StaticFilesConfig",
    "axes",
    # Two-factor login of staff: TOTP apps and single-use recovery codes (docs/security.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "alliantiemonitor.common",
    "alliantiemonitor.accounts",
    "alliantiemonitor.organisations",
    "alliantiemonitor.instruments",
    "alliantiemonitor.trajectories",
    "alliantiemonitor.measurements",
    "alliantiemonitor.conversations",
    "alliantiemonitor.monitoring",
    "alliantiemonitor.scheduling",
    "alliantiemonitor.dashboards",
    "alliantiemonitor.research",
    "alliantiemonitor.privacy",
    "alliantiemonitor.practice",
    "alliantiemonitor.audit",
    "alliantiemonitor.jobs",
    "alliantiemonitor.imports",
    "alliantiemonitor.api",
    "alliantiemonitor.web",
]

MIDDLEWARE = [
    # First: every answer (redirects and static files too) carries the request id, and the
    # access line's duration covers the whole stack.
    "alliantiemonitor.web.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages show personal data: no browser or proxy may keep a copy (static files above may).
    "alliantiemonitor.web.middleware.NoStoreMiddleware",
    # Compresses pages (static files come pre-compressed from WhiteNoise). Django adds random
    # padding against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second factor (if any) verified this session: ``request.user.is_verified()``.
    "django_otp.middleware.OTPMiddleware",
    # The logged-in user is the actor of audit events written at model level (accounts).
    "alliantiemonitor.audit.context.AuditActorMiddleware",
    "alliantiemonitor.measurements.middleware.HandoverLockMiddleware",
    "alliantiemonitor.web.middleware.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "alliantiemonitor.accounts.middleware.IdleTimeoutMiddleware",
    # Before the forced password change: first prove the second factor, then change it.
    "alliantiemonitor.accounts.middleware.SecondFactorRequiredMiddleware",
    "alliantiemonitor.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Inside the CSP and locale middleware: the friendly 405 page gets both.
    "alliantiemonitor.web.middleware.FriendlyMethodNotAllowedMiddleware",
    # Inside the one above: a bare error under /api/ gets JSON, which that one then leaves.
    "alliantiemonitor.api.middleware.ApiErrorBodyMiddleware",
    # Axes must come last: it turns a lockout raised during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alliantiemonitor.urls"
WSGI_APPLICATION = "alliantiemonitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Only the admin's templates that the product corrects; found before the admin's
        # own, which as the first installed app would win over any app's.
        "DIRS": [PACKAGE_DIR / "web" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alliantiemonitor.accounts.context_processors.second_factor",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'alliantiemonitor.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection is checked before a request reuses it: after a database restart
        # the first request reconnects instead of failing on the dead connection.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database needs no set-up beyond its folder. Folder and file hold personal
    # data: created readable by the owner only (SQLite gives its -wal/-shm files the same mode).
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    # One folder at a time: ``mkdir(parents=True)`` would give the folders above the default
    # mode (0755), e.g. ``var/`` above ``var/test``.
    for _folder in reversed([_sqlite_file.parent, *_sqlite_file.parent.parents]):
        if not _folder.exists():
            _folder.mkdir(mode=0o700)
    if not _sqlite_file.exists():
        os.close(os.open(_sqlite_file, os.O_WRONLY | os.O_CREAT, 0o600))
    # A folder or file made before (by an older version, or by hand) is tightened too.
    with contextlib.suppress(PermissionError):
        _sqlite_file.parent.chmod(0o700)
        _sqlite_file.chmod(0o600)
    # WAL lets readers carry on while one process writes; IMMEDIATE avoids lock upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    # Argon2id fitted to a 2-core server, at OWASP's minimum (accounts/hashers.py).
    "alliantiemonitor.accounts.hashers.FittedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "alliantiemonitor.accounts.validators.VarietyValidator"},
]
# --- Single sign-on with OpenID Connect (docs/sso.md) -----------------------------------------

#: Off unless a client id is set; the other OIDC settings are then required (system check E201).
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "") or ""
ALLIANTIEMONITOR_SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", "") or ""
#: The ``iss`` that every id token must carry (mozilla-django-oidc itself does not check it).
OIDC_OP_ISSUER = (env("OIDC_OP_ISSUER", "") or "").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", "") or ""
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", "") or ""
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", "") or ""
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", "") or ""
#: The provider's ``end_session_endpoint``: logging out here logs out there too (optional).
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", "") or ""
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256") or "RS256"
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email") or "openid email"
#: Seconds before a request to the provider gives up (the user gets a clear page, not a hang).
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
#: Accounts are made by an administrator, never by a login (no membership without a decision).
OIDC_CREATE_USER = False
#: Kept for the provider's logout (``id_token_hint``), only when that is configured.
OIDC_STORE_ID_TOKEN = bool(OIDC_OP_LOGOUT_ENDPOINT)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
#: The name on the login page's button: "Inloggen via <name>".
ALLIANTIEMONITOR_SSO_PROVIDER_NAME = env("ALLIANTIEMONITOR_SSO_PROVIDER_NAME", "") or ""
#: Claims that carry the e-mail address and whether the provider verified it.
ALLIANTIEMONITOR_SSO_EMAIL_CLAIM = env("ALLIANTIEMONITOR_SSO_EMAIL_CLAIM", "email") or "email"
ALLIANTIEMONITOR_SSO_EMAIL_VERIFIED_CLAIM = (
    env("ALLIANTIEMONITOR_SSO_EMAIL_VERIFIED_CLAIM", "email_verified") or "email_verified"
)
#: Link an unlinked account at its first SSO login by a verified e-mail address (docs/sso.md).
ALLIANTIEMONITOR_SSO_LINK_BY_EMAIL = env_bool("ALLIANTIEMONITOR_SSO_LINK_BY_EMAIL", True)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    *(["alliantiemonitor.accounts.sso.SsoBackend"] if ALLIANTIEMONITOR_SSO_ENABLED else []),
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

#: Every staff login needs a second factor (a TOTP app, or a recovery code). Off only for the
#: demo: a deploy check (alliantiemonitor.E010) refuses it off while DEBUG is off.
ALLIANTIEMONITOR_REQUIRE_2FA = env_bool("ALLIANTIEMONITOR_REQUIRE_2FA", True)
#: Seconds after the last full login (password and second factor) within which sensitive
#: actions (exports, role changes) go ahead without asking for both again.
ALLIANTIEMONITOR_REAUTH_SECONDS = env_int("ALLIANTIEMONITOR_REAUTH_SECONDS", 10 * 60)
#: The name the authenticator app shows beside the account.
OTP_TOTP_ISSUER = "Alliantiemonitor"
# Never show an authenticator's key in the admin (the device pages are not offered at all).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
#: Seconds a password-reset link stays valid.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)

# Lockout after repeated failed logins, per user name and address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "alliantiemonitor.common.request_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
# One policy for every password check: the login page and the hand-back of a handed-over
# device (measurements/views/client_entry.py) both count here. A translated lockout page.
AXES_LOCKOUT_CALLABLE = "alliantiemonitor.web.views.locked_out"
#: How many reverse proxies in front of the app append to X-Forwarded-For. 0: ignore the header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "nl"
#: Staff pages speak Dutch and English only; the client pages also Turkish, Arabic (right to
#: left) and Polish, for the instruments that have them (docs/languages.md).
STAFF_LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
CLIENT_ONLY_LANGUAGES = [("tr", _("Turkish")), ("ar", _("Arabic")), ("pl", _("Polish"))]
LANGUAGES = STAFF_LANGUAGES + CLIENT_ONLY_LANGUAGES
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or (DATA_DIR / "static"))
NODE_MODULES_DIR = Path(env("NODE_MODULES_DIR") or (PROJECT_DIR / "node_modules"))
#: Front-end packages installed from npm by `make` (package.json); served by the app itself.
STATICFILES_DIRS = [
    # The whole @utrecht scope: the full component library for staff pages, single components
    # for the light client pages.
    ("vendor/utrecht", NODE_MODULES_DIR / "@utrecht"),
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", not DEBUG)
if WHITENOISE_USE_FINDERS:
    # Without the manifest, files come from the finders and STATIC_ROOT need not exist yet;
    # WhiteNoise warns about the missing folder on every start otherwise.
    warnings.filterwarnings("ignore", message="No directory at")

# Transport and cookie security. Behind TLS-terminating proxies set SECURE_PROXY_SSL_HEADER.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The probes of a load balancer or orchestrator reach an app process directly over plain HTTP;
# they answer nothing personal.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_ENGINE = "alliantiemonitor.web.sessions"
#: Seconds without a request after which a staff login ends (0: only SESSION_COOKIE_AGE).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
X_FRAME_OPTIONS = "DENY"

_sso_logout_origin = (
    ["{0.scheme}://{0.netloc}".format(urlsplit(OIDC_OP_LOGOUT_ENDPOINT))]
    if OIDC_OP_LOGOUT_ENDPOINT
    else []
)
# A strict policy everywhere, the admin included: no inline scripts or styles, nothing external.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The logout form's redirect to the provider's logout counts as a form action.
        "form-action": [SELF, *_sso_logout_origin],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

#: ``text`` (the default: readable lines) or ``json`` (one JSON object per line, with the
#: request id, for a log collector; docs/production.md).
ALLIANTIEMONITOR_LOG_FORMAT = (env("ALLIANTIEMONITOR_LOG_FORMAT", "text") or "text").lower()
if ALLIANTIEMONITOR_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(
        f"ALLIANTIEMONITOR_LOG_FORMAT must be text or json, not {ALLIANTIEMONITOR_LOG_FORMAT!r}"
    )
_JSON_LOGS = ALLIANTIEMONITOR_LOG_FORMAT == "json"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_tokens": {"()": "alliantiemonitor.web.logging.MaskInvitationTokens"},
        "request_context": {"()": "alliantiemonitor.web.logging.RequestContextFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_tokens", "request_context"],
            **({"formatter": "json"} if _JSON_LOGS else {}),
        },
        # The development server's request lines, without personal link tokens.
        "server": {
            "class": "logging.StreamHandler",
            "filters": ["mask_tokens", "request_context"],
            "formatter": "json" if _JSON_LOGS else "server",
        },
    },
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "json": {"()": "alliantiemonitor.web.logging.JsonFormatter"},
    },
    "loggers": {
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        # One line per request (RequestIdMiddleware). In text format the WSGI server (gunicorn's
        # access log, runserver) prints its own; in JSON format this is the access log.
        "alliantiemonitor.access": {"level": "INFO" if _JSON_LOGS else "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# --- Alliantiemonitor -----------------------------------------------------------------------

#: Extra folders with instrument files (YAML/JSON), e.g. an organisation's licensed item set.
ALLIANTIEMONITOR_INSTRUMENT_DIRS = [Path(p) for p in env_list("ALLIANTIEMONITOR_INSTRUMENT_DIRS")]
#: A mirrored pair whose answers differ by at least this many points is highlighted.
ALLIANTIEMONITOR_PAIR_DISCREPANCY = env_float("ALLIANTIEMONITOR_PAIR_DISCREPANCY", 2.0, minimum=0.5)
#: A characteristic whose client and professional means differ by at least this is highlighted.
ALLIANTIEMONITOR_CHARACTERISTIC_DISCREPANCY = env_float(
    "ALLIANTIEMONITOR_CHARACTERISTIC_DISCREPANCY", 1.0, minimum=0.1
)
#: Wrong links or codes from one address within 15 minutes before entry is refused for a while.
ALLIANTIEMONITOR_ENTRY_ATTEMPTS = env_int("ALLIANTIEMONITOR_ENTRY_ATTEMPTS", 5)
#: How long an address stays blocked after too many wrong codes (the window they are counted in).
ALLIANTIEMONITOR_ENTRY_BLOCK_MINUTES = env_int("ALLIANTIEMONITOR_ENTRY_BLOCK_MINUTES", 15)
#: Refused entries across all addresses within that window that make a warning in the log.
ALLIANTIEMONITOR_ENTRY_WAVE_THRESHOLD = env_int("ALLIANTIEMONITOR_ENTRY_WAVE_THRESHOLD", 100)

#: Keys that encrypt free text about clients at rest (docs/encryption.md), separated by commas
#: or new lines: the first encrypts, all of them decrypt. ``manage.py check --deploy`` fails
#: without one; writing or reading such text without one fails.
ALLIANTIEMONITOR_FIELD_KEYS = [
    key for key in re.split(r"[\s,]+", env("ALLIANTIEMONITOR_FIELD_KEYS") or "") if key
]

# --- E-mail (invitations, reminders, digests; see docs/configuration.md and docs/schedules.md) ---

#: SMTP, unless set; with DEBUG (the demo) messages are printed to the console instead.
EMAIL_BACKEND = env("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
#: Where the file backend (``django.core.mail.backends.filebased.EmailBackend``) writes messages.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH") or str(DATA_DIR / "mail")
EMAIL_HOST = env("EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
#: Seconds before a connection to the mail server gives up (the worker retries later).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "alliantiemonitor@localhost") or ""
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: The address of the app as people reach it (``https://monitor.example.org``): links in e-mail
#: are built on it, since the worker that sends them has no request to take it from.
ALLIANTIEMONITOR_BASE_URL = (
    env("ALLIANTIEMONITOR_BASE_URL", "") or ("http://localhost:8000" if DEBUG else "")
).rstrip("/")

# --- Background work (docs/worker.md) --------------------------------------------------------

#: Django's tasks framework (the django-tasks backport) with its database backend: no broker,
#: the queue is a table, and `manage.py worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
#: How often a failing job is tried in all before it stays failed.
ALLIANTIEMONITOR_JOB_ATTEMPTS = max(1, env_int("ALLIANTIEMONITOR_JOB_ATTEMPTS", 5))
#: Seconds before the first retry; every further retry waits twice as long (at most an hour).
ALLIANTIEMONITOR_JOB_RETRY_DELAY = env_float("ALLIANTIEMONITOR_JOB_RETRY_DELAY", 30.0)
#: Seconds without a sign of life after which a worker counts as dead and its job runs again.
ALLIANTIEMONITOR_WORKER_LEASE = env_float("ALLIANTIEMONITOR_WORKER_LEASE", 120.0, minimum=1.0)


# -- The REST API (/api/v1/, docs/api.md). Only API tokens authenticate (no sessions, so no
# CSRF question); every endpoint checks its scope; errors have the product's shape.
#: Requests per API token (DRF's rate syntax, e.g. "600/min"; empty: no limit). The count
#: lives in Django's cache: with several app processes set ALLIANTIEMONITOR_CACHE=database.
ALLIANTIEMONITOR_API_RATE = env("ALLIANTIEMONITOR_API_RATE", "600/min")
#: Django's cache (only the API's rate counts use it): ``local`` keeps it in each process's
#: memory; ``database`` in one table that every app process shares (made by
#: ``manage.py createcachetable``), so that a limit holds across processes and machines.
ALLIANTIEMONITOR_CACHE = (env("ALLIANTIEMONITOR_CACHE", "local") or "local").lower()
_CACHE_BACKENDS = {
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "alliantiemonitor_cache",
    },
}
if ALLIANTIEMONITOR_CACHE not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(
        f"ALLIANTIEMONITOR_CACHE must be local or database, not {ALLIANTIEMONITOR_CACHE!r}"
    )
CACHES = {"default": _CACHE_BACKENDS[ALLIANTIEMONITOR_CACHE]}
#: Let webhooks call private, loopback and other internal addresses, and plain http. Off by
#: default: an admin's address must not reach the server's own network (docs/api.md).
ALLIANTIEMONITOR_WEBHOOK_ALLOW_PRIVATE = env_bool("ALLIANTIEMONITOR_WEBHOOK_ALLOW_PRIVATE", False)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "alliantiemonitor.api.authentication.ApiTokenAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["alliantiemonitor.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["alliantiemonitor.api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "alliantiemonitor.api.pagination.ApiPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "alliantiemonitor.api.schema.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "alliantiemonitor.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliantiemonitor API",
    "DESCRIPTION": "Clients, trajectories, rounds, results, signals and outcome events of one "
    "organisation, for its case-management system. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}
