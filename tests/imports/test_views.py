"""The caseload import page: upload, the report per row, confirm; admins only (in Dutch)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.imports.constants import CASELOAD_MAX_BYTES
from alliantiemonitor.imports.models import CaseloadImport
from alliantiemonitor.trajectories.models import Trajectory
from tests.factories import MembershipFactory, UserFactory
from tests.imports.test_caseload import _csv, _row

pytestmark = pytest.mark.django_db

URL = reverse("trajectories:caseload_import")


@pytest.fixture
def admin_client(client: Any, organisation: Any, team: Any, professional: Any, org_admin: Any):
    client.force_login(org_admin)
    return client


def _upload(browser: Any, organisation: Any, data: bytes, name: str = "zaken.csv") -> Any:
    return browser.post(
        URL,
        {"organisation": organisation.pk, "file": SimpleUploadedFile(name, data, "text/csv")},
    )


def _confirm_url(upload: CaseloadImport) -> str:
    return reverse("trajectories:caseload_import_confirm", args=[upload.uuid])


def test_upload_report_confirm(admin_client, organisation):
    page = admin_client.get(URL)
    assert page.status_code == 200
    answer = _upload(admin_client, organisation, _csv(_row("Z1"), _row("Z2", name="C.D.")))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Z1" in html
    assert "C.D." in html
    assert not Trajectory.objects.exists()
    upload = CaseloadImport.objects.get()
    assert _confirm_url(upload) in html
    done = admin_client.post(_confirm_url(upload), follow=True)
    assert done.redirect_chain[-1][0] == URL
    assert Trajectory.objects.count() == 2
    # A second press changes nothing and says so.
    again = admin_client.post(_confirm_url(upload), follow=True)
    assert Trajectory.objects.count() == 2
    assert "al geïmporteerd" in again.content.decode()


def test_a_file_with_problems_shows_them_and_offers_no_import(admin_client, organisation):
    answer = _upload(admin_client, organisation, _csv(_row("Z1"), _row("Z2", team="Team Zuid")))
    html = answer.content.decode()
    assert "geen team met deze naam" in html
    upload = CaseloadImport.objects.get()
    assert _confirm_url(upload) not in html
    # Posting the confirmation anyway imports nothing.
    admin_client.post(_confirm_url(upload))
    assert not Trajectory.objects.exists()


def test_semicolons_and_a_byte_order_mark_through_the_page(admin_client, organisation):
    data = ("\ufeff" + _csv(_row("Z1")).decode().replace(",", ";")).encode()
    _upload(admin_client, organisation, data)
    assert CaseloadImport.objects.get().dry_run_counts["new"] == 1


def test_an_oversized_file_is_refused_with_a_message(admin_client, organisation):
    answer = _upload(admin_client, organisation, b"x" * (CASELOAD_MAX_BYTES + 1))
    assert answer.status_code == 400
    assert "groter dan 1 MB" in answer.content.decode()
    assert not CaseloadImport.objects.exists()


def test_a_name_is_shown_as_text(admin_client, organisation):
    name = "<b>X</b>"
    _upload(admin_client, organisation, _csv(_row("Z1", name=name)))
    upload = CaseloadImport.objects.get()
    admin_client.post(_confirm_url(upload))
    assert Trajectory.objects.get().client.display_name == name
    answer = _upload(admin_client, organisation, _csv(_row("Z1", name=name)))
    assert "&lt;b&gt;X&lt;/b&gt;" in answer.content.decode()
    assert "<b>X</b>" not in answer.content.decode()


def test_only_an_organisation_admin(client, organisation, professional, team_lead, org_admin):
    for user in (professional, team_lead):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert _upload(client, organisation, _csv(_row())).status_code == 403
    assert not CaseloadImport.objects.exists()


def test_another_admin_cannot_confirm_someone_elses_check(
    admin_client, client, organisation, other_organisation
):
    _upload(admin_client, organisation, _csv(_row("Z1")))
    upload = CaseloadImport.objects.get()
    for organisation_of_admin in (organisation, other_organisation):
        other_admin = UserFactory()
        MembershipFactory(user=other_admin, organisation=organisation_of_admin, role="org_admin")
        client.force_login(other_admin)
        assert client.post(_confirm_url(upload)).status_code == 404
    assert not Trajectory.objects.exists()
    assert not AuditEvent.objects.filter(action="caseload_import.import").exists()


def test_an_admin_cannot_import_into_an_organisation_they_do_not_administer(
    admin_client, other_organisation
):
    answer = _upload(admin_client, other_organisation, _csv(_row("Z1")))
    assert answer.status_code == 400
    assert not CaseloadImport.objects.exists()
