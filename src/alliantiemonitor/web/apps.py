from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    # Two configs in this module: without ``default`` Django would use neither (a plain
    # AppConfig), and ``ready`` would never register the checks.
    default = True
    name = "alliantiemonitor.web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)


class StaticFilesConfig(BaseStaticFilesConfig):
    """Collect only what the pages use from the npm packages.

    Besides type declarations and build sources, it leaves out
    ``@utrecht/design-tokens/dist/background-image-icon.css``: it refers to an image the package
    does not ship, which makes the manifest storage's post-processing fail. We do not use it.
    Nor the static files of Django REST framework's browsable API (the API speaks JSON only).
    """

    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "*.d.ts",
        "*.d.mts",
        "*.mjs",
        "*.cjs",
        "*.scss",
        "*.map",
        "*.md",
        "*.json",
        "background-image-icon.css",
        "prince-xml.css",
        "theme-prince-xml.css",
        # The API answers in JSON only: the browsable API's assets (Bootstrap, whose CSS names a
        # source map the package does not ship) are never served.
        "rest_framework",
    ]
