"""Settings fail closed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: The checkout's own code, also when the environment's editable install points elsewhere.
SRC = Path(__file__).resolve().parent.parent / "src"


def _settings_in_subprocess(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    # This checkout's settings, also when the environment's editable install points elsewhere.
    clean["PYTHONPATH"] = str(SRC)
    clean.update(env)
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), clean.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", f"import alliantiemonitor.settings as s; {code}"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_secret_key_refuses_to_start():
    result = _settings_in_subprocess({}, "pass")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = _settings_in_subprocess({"SECRET_KEY": "x" * 50}, "print(s.DEBUG, s.ALLOWED_HOSTS)")
    assert result.stdout.strip() == "False []"


def test_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "y" * 40 + "\n")
    result = _settings_in_subprocess(
        {"SECRET_KEY_FILE": str(secret)}, "print(s.SECRET_KEY.startswith('from-a-file-'))"
    )
    assert result.stdout.strip() == "True"


def test_invalid_boolean_is_a_clear_error():
    result = _settings_in_subprocess({"SECRET_KEY": "x" * 50, "DEBUG": "maybe"}, "pass")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_database_url_switches_to_postgresql():
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@db.internal:5432/am"},
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'])",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql db.internal"


def test_discrepancy_thresholds_must_be_sensible_numbers():
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_PAIR_DISCREPANCY": "-1"}, "pass"
    )
    assert result.returncode != 0
    assert "ALLIANTIEMONITOR_PAIR_DISCREPANCY must be at least 0.5" in result.stderr
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_CHARACTERISTIC_DISCREPANCY": "veel"}, "pass"
    )
    assert "must be a number" in result.stderr


def test_the_sqlite_folder_and_file_are_for_the_owner_only(tmp_path):
    data_dir = tmp_path / "var"
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_DATA_DIR": str(data_dir), "DATABASE_URL": ""},
        "pass",
    )
    assert result.returncode == 0, result.stderr
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "alliantiemonitor.sqlite3").stat().st_mode & 0o777 == 0o600


def test_folders_made_above_the_data_folder_and_old_ones_are_for_the_owner_only(tmp_path):
    """``var/`` above ``var/test`` was made 0755; an older folder or file is tightened too."""
    data_dir = tmp_path / "var" / "test"
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_DATA_DIR": str(data_dir), "DATABASE_URL": ""},
        "pass",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700

    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    (old / "alliantiemonitor.sqlite3").touch(mode=0o644)
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_DATA_DIR": str(old), "DATABASE_URL": ""},
        "pass",
    )
    assert result.returncode == 0, result.stderr
    assert old.stat().st_mode & 0o777 == 0o700
    assert (old / "alliantiemonitor.sqlite3").stat().st_mode & 0o777 == 0o600


def test_field_keys_come_from_a_file_one_per_line_or_separated_by_commas(tmp_path):
    keys = tmp_path / "field_keys"
    keys.write_text("new-key\nold-key, older-key\n")
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_FIELD_KEYS_FILE": str(keys)},
        "print(s.ALLIANTIEMONITOR_FIELD_KEYS)",
    )
    assert result.stdout.strip() == "['new-key', 'old-key', 'older-key']"


def test_the_second_factor_is_required_unless_turned_off():
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50}, "print(s.ALLIANTIEMONITOR_REQUIRE_2FA)"
    )
    assert result.stdout.strip() == "True"
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_REQUIRE_2FA": "false"},
        "print(s.ALLIANTIEMONITOR_REQUIRE_2FA)",
    )
    assert result.stdout.strip() == "False"
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_REQUIRE_2FA": "sometimes"}, "pass"
    )
    assert "ALLIANTIEMONITOR_REQUIRE_2FA must be true or false" in result.stderr


def test_the_cache_is_shared_through_the_database_when_asked_for():
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_CACHE": "database"},
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])",
    )
    assert result.stdout.split() == [
        "django.core.cache.backends.db.DatabaseCache",
        "alliantiemonitor_cache",
    ]
    default = _settings_in_subprocess({"SECRET_KEY": "x" * 50}, "print(s.CACHES)")
    assert "LocMemCache" in default.stdout
    wrong = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "ALLIANTIEMONITOR_CACHE": "redis"}, "pass"
    )
    assert wrong.returncode != 0
    assert "ALLIANTIEMONITOR_CACHE must be local or database" in wrong.stderr
