from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "alliantiemonitor.research"
    verbose_name = _("Research")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The client flow (measurements, below this app) asks its registered steps whether
        # one comes before the questionnaire; research adds the consent question.
        from alliantiemonitor.measurements.client_steps import client_step_register
        from alliantiemonitor.research.client_step import research_client_step

        client_step_register(research_client_step)
        # The erasure and the retention run (trajectories, below this app) send signals; the
        # receivers apply each study's keep period to its records.
        from alliantiemonitor.research import retention  # noqa: F401
