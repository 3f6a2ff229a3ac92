"""Signals that apps higher up listen to, so that trajectories need not import them."""

from django.dispatch import Signal

#: Sent inside the transaction of :func:`~alliantiemonitor.trajectories.services.
#: trajectory_hand_over` with ``trajectory``, ``assignment`` (the new one) and ``by``.
trajectory_handed_over = Signal()

#: Sent inside the transaction of :func:`~alliantiemonitor.trajectories.services.
#: erase_client_data`, before anything is deleted, with ``client`` and ``now``. A receiver
#: deletes or keeps its own records of the client and returns ``{"deleted": {model label:
#: rows}, "kept": {model label: rows}}``; both are listed in the ``client.erase`` event.
client_erasing = Signal()

#: Sent by :func:`~alliantiemonitor.trajectories.retention.retention_run` once per run, with
#: ``clients`` (the clients due, not yet erased), ``today`` and ``dry_run``. A receiver reports
#: what an erasure of those clients would do to its records, and deletes (unless ``dry_run``)
#: what its own keep period no longer covers; it returns a
#: :class:`~alliantiemonitor.trajectories.retention.RetentionSection`.
retention_running = Signal()
