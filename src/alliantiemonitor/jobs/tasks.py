"""The jobs: each a thin wrapper around an idempotent service of an app below this one.

Periodic jobs take no arguments and work out what is due from the time they run; they return
a count (shown as the job's result in the admin). See docs/worker.md for the list.
"""

from __future__ import annotations

import datetime as dt

from alliantiemonitor.jobs.registry import periodic
from alliantiemonitor.measurements.services import rounds_expire


@periodic(every=dt.timedelta(minutes=5), name="rounds.expire")
def rounds_expire_job() -> int:
    """Expire rounds whose due date plus the grace period has passed."""
    return rounds_expire()


# Still to wire when their services land (issue 7), each a few lines like the one above
# (``now = timezone.now()``):
#   every 5 minutes  "rounds.open_due"   -> scheduling.services.rounds_open_due(now=now)
#   every 5 minutes  "reminders.send"    -> scheduling.services.reminders_send_due(now=now)
#   every hour       "digests.send"      -> scheduling.services.digests_send_due(now=now)
#   every 15 minutes "signals.recompute" -> monitoring.services.signals_recompute()
# and after a response is submitted, a one-off `@task` that recomputes the signals of one
# trajectory (enqueued by the web layer on submit: `signals_recompute(trajectory=...)`).
