import pytest

pytestmark = pytest.mark.django_db


def test_default_variant_is_the_organisations_unless_the_client_prefers_easy_read(
    trajectory, organisation
):
    organisation.default_instrument = "kort"
    organisation.save()
    assert trajectory.default_variant == "kort"

    trajectory.client.easy_read = True
    trajectory.client.save()
    assert trajectory.default_variant == "eenvoudig"
