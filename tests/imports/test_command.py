"""``manage.py caseload_import``: dry run by default, ``--commit`` imports; exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import ManagementUtility

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.trajectories.models import Trajectory
from tests.imports.test_caseload import _csv, _row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: Any) -> None:
    """``run_from_argv`` closes every database connection when the command ends, which on
    PostgreSQL would close the test's own (inside its transaction); keep it open."""
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)


@pytest.fixture
def world(organisation: Any, team: Any, professional: Any, org_admin: Any) -> Any:
    return organisation


def _run(path: Path, *extra: str, user: str = "beheer.visser", slug: str = "") -> int:
    """The command's exit code, as the shell sees it."""
    argv = ["manage.py", "caseload_import", str(path), "--user", user]
    argv += ["--organisation", slug or "reclassering-voorbeeldstad", *extra]
    try:
        ManagementUtility(argv).execute()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_dry_run_by_default_then_commit(world, tmp_path, capsys):
    path = tmp_path / "caseload.csv"
    path.write_bytes(_csv(_row("Z1"), _row("Z2")))
    assert _run(path) == 0
    assert "new 2" in capsys.readouterr().out
    assert not Trajectory.objects.exists()
    assert _run(path, "--commit") == 0
    assert Trajectory.objects.count() == 2
    assert AuditEvent.objects.filter(action="caseload_import.import").count() == 1
    # Again: every row unchanged, nothing new.
    assert _run(path, "--commit") == 0
    assert "unchanged 2" in capsys.readouterr().out
    assert Trajectory.objects.count() == 2


def test_problems_are_printed_by_line_and_column_and_exit_1(world, tmp_path, capsys):
    path = tmp_path / "caseload.csv"
    path.write_bytes(_csv(_row("Z1"), _row("Z2", team="Team Zuid")))
    assert _run(path, "--commit") == 1
    captured = capsys.readouterr()
    assert "line 3, team: unknown_team" in captured.out
    assert "nothing was imported" in captured.err
    assert not Trajectory.objects.exists()


def test_an_unreadable_file_exits_1(world, tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_bytes(b"external_id\nZ1\n")
    assert _run(path) == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"user": "pro.jansen"}, 2),
        ({"user": "niemand"}, 2),
        ({"slug": "onbekend"}, 2),
        ({"path": "missing.csv"}, 2),
    ],
)
def test_a_wrong_argument_exits_2(world, tmp_path, change, code):
    path = tmp_path / "caseload.csv"
    path.write_bytes(_csv(_row("Z1")))
    if "path" in change:
        path = tmp_path / change.pop("path")
    assert _run(path, "--commit", **change) == code
    assert not Trajectory.objects.exists()
