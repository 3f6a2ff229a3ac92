"""The errors a service raises when a rule refuses an action.

Every domain app raises subclasses of :class:`DomainError` (in its own ``exceptions.py``).
Each carries a ``message`` that a view can show as it is (translated) and a stable ``code``
for tests and APIs.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refuses the action; nothing was changed."""

    code = "domain_error"
    default_message: Any = _("This action is not possible.")

    def __init__(self, message: Any = None, **context: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.context = context
        super().__init__(str(self.message))
