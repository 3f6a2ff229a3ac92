from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register()
def check_frontend_packages(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the npm front-end packages that the pages need are not installed."""
    missing = [str(path) for _prefix, path in settings.STATICFILES_DIRS if not path.is_dir()]
    if not missing:
        return []
    return [
        Warning(
            "Front-end packages are missing: " + ", ".join(missing),
            hint="Run `npm ci` in the checkout (make install does this), or set NODE_MODULES_DIR.",
            id="alliantiemonitor.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_second_factor_required(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse a production set-up (DEBUG off) in which staff log in without a second factor."""
    if settings.ALLIANTIEMONITOR_REQUIRE_2FA or settings.DEBUG:
        return []
    return [
        Error(
            "ALLIANTIEMONITOR_REQUIRE_2FA is off while DEBUG is off: staff would log in with "
            "a password alone.",
            hint="Remove ALLIANTIEMONITOR_REQUIRE_2FA from the environment (it defaults to "
            "true); only the demo turns it off.",
            id="alliantiemonitor.E010",
        )
    ]
