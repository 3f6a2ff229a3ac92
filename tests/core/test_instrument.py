import pytest

from alliantiemonitor.core.instrument import CLIENT, PROFESSIONAL, RATERS, as_rater


def test_raters_are_client_and_professional():
    assert RATERS == (CLIENT, PROFESSIONAL) == ("client", "professional")


@pytest.mark.parametrize("value", ["client", "professional"])
def test_as_rater_accepts_a_stored_value(value):
    assert as_rater(value) == value


@pytest.mark.parametrize("value", ["", "Client", "team_lead", "client "])
def test_as_rater_refuses_anything_else(value):
    with pytest.raises(ValueError, match="not a rater"):
        as_rater(value)
