"""Names shared by the worker and its admin."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: A retry never waits longer than this many seconds, however many attempts came before.
MAX_RETRY_DELAY = 60 * 60
#: Days the record of a periodic run is kept (for the admin); the unique row only matters now.
PERIODIC_RUNS_KEPT_DAYS = 30

#: The queue's states in the admin's words (django-tasks ships no Dutch for its own).
STATUS_LABELS = {
    "READY": _("queued"),
    "RUNNING": _("running"),
    "FAILED": _("failed"),
    "SUCCESSFUL": _("done"),
}
