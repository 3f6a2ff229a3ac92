"""The core is a plain library: importing it must not import Django."""

import subprocess
import sys


def test_core_imports_no_django():
    # The commands over files too: `make test-postgres` leaves their tests out (Makefile).
    code = (
        "import sys, alliantiemonitor.core, alliantiemonitor.cli.score, "
        "alliantiemonitor.cli.synth, alliantiemonitor.cli.instruments, "
        "alliantiemonitor.cli.analyse, alliantiemonitor.cli.analyse_report, "
        "alliantiemonitor.cli.export, alliantiemonitor.cli.signals; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_core_exports_the_public_api():
    import alliantiemonitor.core as core

    for name in core.__all__:
        assert getattr(core, name) is not None, name
