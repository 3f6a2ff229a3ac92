from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "alliantiemonitor.imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        # Clears waiting caseload files when a client is erased.
        from alliantiemonitor.imports import receivers  # noqa: F401
