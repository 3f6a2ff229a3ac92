from alliantiemonitor.core.instrument import RATERS, as_rater
from alliantiemonitor.measurements.constants import Rater


def test_the_database_choices_are_the_core_raters():
    assert tuple(Rater.values) == RATERS


def test_a_choice_passes_to_the_core_as_a_rater():
    assert as_rater(Rater.CLIENT) == "client"
    assert as_rater(Rater.PROFESSIONAL) == "professional"
