"""The job list in the admin: what the system admin sees, and who else sees nothing."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from alliantiemonitor.jobs.models import PeriodicRun
from alliantiemonitor.jobs.services import job_fail, worker_register
from tests.jobs import tasks

pytestmark = pytest.mark.django_db


def _failed_job() -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=tasks.record.enqueue("x").id)
    row.claim("admin-test-worker")
    try:
        raise ValueError("no mail server at smtp.example.org")
    except ValueError as exc:
        job_fail(row=row, exc=exc)
    row.refresh_from_db()
    return row


def test_superuser_sees_queued_running_and_failed_jobs(client, superuser, settings):
    settings.ALLIANTIEMONITOR_JOB_ATTEMPTS = 1
    failed = _failed_job()
    tasks.record.enqueue("queued")
    client.force_login(superuser)
    page = client.get("/admin/jobs/job/")
    assert page.status_code == 200
    assert "tests.jobs.tasks.record" in page.text
    # The states in Dutch, the default language.
    assert "mislukt" in page.text
    assert "in de wachtrij" in page.text
    assert "ValueError" in page.text
    assert "1 / 1" in page.text

    detail = client.get(f"/admin/jobs/job/{failed.pk}/change/")
    assert detail.status_code == 200
    assert "no mail server at smtp.example.org" in detail.text
    assert "<pre>" in detail.text
    # Read-only: no save button, no delete.
    assert 'name="_save"' not in detail.text
    assert client.post(f"/admin/jobs/job/{failed.pk}/delete/").status_code == 403


def test_superuser_sees_periodic_runs_and_workers(client, superuser, run_worker):
    worker_register(worker_id="on-this-machine")
    run_worker(periodic=True)
    client.force_login(superuser)
    assert PeriodicRun.objects.filter(name="rounds.expire").exists()
    page = client.get("/admin/jobs/periodicrun/")
    assert page.status_code == 200
    assert "rounds.expire" in page.text
    workers = client.get("/admin/jobs/worker/")
    assert workers.status_code == 200
    assert "on-this-machine" in workers.text


def test_only_the_library_table_under_our_name():
    from django.contrib import admin

    assert not admin.site.is_registered(DBTaskResult)


@pytest.mark.parametrize("persona", ["org_admin", "professional", "team_lead"])
def test_others_do_not_see_jobs(client, persona, request):
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    tasks.record.enqueue("hidden")
    client.force_login(user)
    assert client.get("/admin/jobs/job/").status_code in {302, 403}
    index = client.get("/admin/")
    assert "/admin/jobs/" not in index.text


def test_job_filters_speak_dutch(client, superuser, settings):
    """The status filter offers the Dutch states, not django-tasks' English ones, and filters."""
    settings.ALLIANTIEMONITOR_JOB_ATTEMPTS = 1
    _failed_job()
    tasks.record.enqueue("queued")
    client.force_login(superuser)
    page = client.get("/admin/jobs/job/")
    assert "Successful" not in page.text
    assert "queue name" not in page.text.lower()
    assert "?status=FAILED" in page.text
    failed_only = client.get("/admin/jobs/job/?status=FAILED")
    assert failed_only.status_code == 200
    assert failed_only.text.count('class="field-state"') == 1
    assert "mislukt" in failed_only.text
