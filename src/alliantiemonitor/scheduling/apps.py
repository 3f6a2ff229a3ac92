from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "alliantiemonitor.scheduling"
    verbose_name = _("Schedules and reminders")

    def ready(self) -> None:
        from alliantiemonitor.scheduling import checks  # noqa: F401 (registers the checks)
