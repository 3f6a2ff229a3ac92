from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "alliantiemonitor.api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the webhook receivers and registers the webhook jobs with every worker.
        from alliantiemonitor.api import receivers, tasks  # noqa: F401
