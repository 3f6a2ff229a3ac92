from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


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
