from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "alliantiemonitor.jobs"
    verbose_name = _("Background work")

    def ready(self) -> None:
        # Registers the periodic jobs, so that every worker knows the same schedule.
        from alliantiemonitor.jobs import tasks  # noqa: F401
