"""Production static files: collectstatic with the hashed, compressed manifest storage works."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.slow
def test_collectstatic_with_the_manifest_storage(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())
    manifest = (tmp_path / "staticfiles.json").read_text()
    for needed in (
        "vendor/utrecht/component-library-css/dist/index.css",
        "vendor/utrecht/design-tokens/dist/theme.css",
        "vendor/htmx/htmx.min.js",
        "alliantiemonitor/css/client.bundle.css",
        "measurements/js/fill.bundle.js",
    ):
        assert f'"{needed}"' in manifest, needed
    assert list(tmp_path.rglob("theme.*.css.gz")), "static files are pre-compressed"
