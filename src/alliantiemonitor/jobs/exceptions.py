"""Errors recorded on jobs by the worker itself."""

from __future__ import annotations


class WorkerLost(Exception):
    """The worker running a job stopped giving signs of life (killed, machine lost)."""
