from django.test import override_settings
from django.utils import translation

from alliantiemonitor.common.language import current_language


def test_the_active_language():
    with translation.override("en"):
        assert current_language() == "en"
    with translation.override("nl"):
        assert current_language() == "nl"


def test_a_regional_code_gives_its_base_language():
    with translation.override("en-gb"):
        assert current_language() == "en"


@override_settings(LANGUAGE_CODE="en")
def test_without_an_active_language_the_site_default():
    with translation.override(None):
        assert current_language() == "en"
