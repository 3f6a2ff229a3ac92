from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """No models: the checks and commands of what every app shares (field encryption)."""

    name = "alliantiemonitor.common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from alliantiemonitor.common import checks  # noqa: F401 (registers the checks)
        from alliantiemonitor.common.lookups import register

        register()
