"""What the caseload import does when a client is erased."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from alliantiemonitor.imports.services import caseload_uploads_clear
from alliantiemonitor.trajectories.models import Client
from alliantiemonitor.trajectories.signals import client_erasing


@receiver(client_erasing, sender=Client, dispatch_uid="imports.client_erasing")
def _client_erasing(sender: Any, client: Client, **kwargs: Any) -> None:
    """No caseload file waiting for its confirmation keeps the erased client's row."""
    caseload_uploads_clear(organisation=client.organisation)
