"""System check: every instrument file and the domain vocabulary must be valid at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error

from alliantiemonitor.core.datafile import DOMAINS_FILE, SHIPPED_DIR
from alliantiemonitor.core.domains import validate_domains_file
from alliantiemonitor.core.registry import validate_dirs
from alliantiemonitor.instruments.registry import instrument_dirs

CHECK_ID = "alliantiemonitor.E001"


def check_instrument_files(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Report every problem in the shipped and configured instrument folders as an Error."""
    dirs = [SHIPPED_DIR, *(Path(d) for d in instrument_dirs())]
    problems = validate_dirs(dirs)
    # Only the shipped vocabulary is used; a domains.yaml in an extra folder is ignored.
    if (SHIPPED_DIR / DOMAINS_FILE).exists():
        problems = validate_domains_file(SHIPPED_DIR / DOMAINS_FILE) + problems
    return [
        Error(
            str(problem),
            hint=(
                "Fix the instrument file (check it with `alliantiemonitor instruments validate "
                "FILE`) or remove its folder from ALLIANTIEMONITOR_INSTRUMENT_DIRS."
            ),
            id=CHECK_ID,
        )
        for problem in problems
    ]
