from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "alliantiemonitor.privacy"
    verbose_name = _("Privacy")
    default_auto_field = "django.db.models.BigAutoField"
