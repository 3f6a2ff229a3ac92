from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "alliantiemonitor.monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from alliantiemonitor.monitoring import receivers  # noqa: F401  (connects receivers)
