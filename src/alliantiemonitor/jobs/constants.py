"""Names shared by the worker and its admin."""

from __future__ import annotations

#: A retry never waits longer than this many seconds, however many attempts came before.
MAX_RETRY_DELAY = 60 * 60
