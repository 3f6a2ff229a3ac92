"""The write path of schedules, client contact and mail; the worker's idempotent jobs."""

from alliantiemonitor.scheduling.services.settings import (
    client_contact_set,
    client_contact_unsubscribe,
    mail_preference_set,
    organisation_schedule_set,
    trajectory_schedule_set,
)
from alliantiemonitor.scheduling.services.worker import (
    digests_send_due,
    reminders_send_due,
    rounds_open_due,
)

__all__ = [
    "client_contact_set",
    "client_contact_unsubscribe",
    "digests_send_due",
    "mail_preference_set",
    "organisation_schedule_set",
    "reminders_send_due",
    "rounds_open_due",
    "trajectory_schedule_set",
]
