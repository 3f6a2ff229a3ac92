from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasurementsConfig(AppConfig):
    name = "alliantiemonitor.measurements"
    verbose_name = _("Measurements")

    def ready(self) -> None:
        from alliantiemonitor.measurements import signals  # noqa: F401  (connects receivers)
