"""CSV export: a label a spreadsheet would run as a formula stays text.

Team names are typed by an organisation admin and land in the export of every team lead. A
name starting with ``=``, ``+``, ``-`` or ``@`` was neutralised, but one starting with a tab or
a carriage return was not (spreadsheets drop those and then read the formula).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("https://example.org","x")',
        "@SUM(1+1)",
        '\t=HYPERLINK("https://example.org","x")',
        "\r=1+1",
    ],
)
def test_formula_looking_team_names_stay_text(client, org_admin, organisation, team, name):
    team.name = name
    team.save()
    client.force_login(org_admin)
    response = client.get(reverse("dashboards:organisation_csv", args=[organisation.uuid]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    groups = {row[2] for row in rows[1:]}
    assert name not in groups
    assert f"'{name}" in groups
