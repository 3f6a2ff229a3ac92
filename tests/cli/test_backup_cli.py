"""``alliantiemonitor backup``, ``restore`` and ``restore-test`` run the management commands."""

from __future__ import annotations

import stat
import tarfile
from pathlib import Path

import pytest

from alliantiemonitor import cli

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_backup_then_restore_refused_into_the_live_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nightly.backup"
    assert cli.main(["backup", str(out), "--table-checksums"]) == 0
    assert "Backup written to" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with tarfile.open(out) as archive:
        assert archive.getnames()[0] == "manifest.json"

    assert cli.main(["backup", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err

    assert cli.main(["restore", str(out)]) == 1
    assert "is not empty; nothing was restored" in capsys.readouterr().err

    assert cli.main(["restore", str(tmp_path / "missing.backup")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_restore_test(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["restore-test"]) == 0
    assert "Restore test passed" in capsys.readouterr().out
