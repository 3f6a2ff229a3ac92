"""Signals that apps higher up listen to, so that trajectories need not import them."""

from django.dispatch import Signal

#: Sent inside the transaction of :func:`~alliantiemonitor.trajectories.services.
#: trajectory_hand_over` with ``trajectory``, ``assignment`` (the new one) and ``by``.
trajectory_handed_over = Signal()
