"""The example deployment (deploy/) names only real settings and runs only real commands.

A variable the settings do not read is a setting that silently does nothing; a command that
does not exist fails only on the admin's server. Both are checked here against the code.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SETTINGS = ROOT / "src" / "alliantiemonitor" / "settings.py"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
#: Variables that are not the application's settings, and whose they are.
NOT_SETTINGS = {
    "WEB_CONCURRENCY": "gunicorn's number of processes (read by deploy/gunicorn.conf.py)",
}
#: Programs the deployment runs that are not Python: what they are.
OTHER_PROGRAMS = {
    "pg_isready": "PostgreSQL's readiness check (the postgres image)",
    "kill": "systemd's reload signal to gunicorn",
}


def _read_env_names() -> set[str]:
    """The names the settings read with ``env``/``env_bool``/… (each also as ``NAME_FILE``)."""
    helpers = {"env", "env_bool", "env_int", "env_float", "env_list"}
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in helpers
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


SETTING_NAMES = _read_env_names()


def _app_services() -> dict[str, dict]:
    """The compose services that run the application's image."""
    return {
        name: service
        for name, service in COMPOSE["services"].items()
        if service.get("image") == "alliantiemonitor:latest"
    }


def _unit_lines(path: Path, key: str) -> list[str]:
    """The values of ``key`` in a unit's ``[Service]`` section (a key may repeat)."""
    values, section = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and line.startswith(f"{key}="):
            values.append(line.split("=", 1)[1])
    return values


def _deploy_env_names() -> dict[str, str]:
    """Every variable deploy/ sets for the application, with where it is set."""
    found: dict[str, str] = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            found[line.split("=", 1)[0].strip()] = "env.example"
    for name, service in _app_services().items():
        for variable in service.get("environment") or {}:
            found[variable] = f"compose.yaml: {name}"
    for unit in UNITS:
        for value in _unit_lines(unit, "Environment"):
            found[value.split("=", 1)[0]] = unit.name
    gunicorn_conf = (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    for variable in re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", gunicorn_conf):
        found[variable] = "gunicorn.conf.py"
    return found


def test_the_deployment_files_exist():
    for name in ("compose.yaml", "nginx.conf", "gunicorn.conf.py", "env.example", "Containerfile"):
        assert (DEPLOY / name).is_file(), name
    assert {unit.name for unit in UNITS} == {
        "alliantiemonitor-app.service",
        "alliantiemonitor-worker@.service",
    }
    assert set(COMPOSE["services"]) >= {"postgres", "app", "worker", "nginx"}


@pytest.mark.parametrize(("variable", "where"), sorted(_deploy_env_names().items()))
def test_every_variable_is_a_setting(variable, where):
    base = variable.removesuffix("_FILE")
    assert base in SETTING_NAMES or variable in NOT_SETTINGS, (
        f"{where} sets {variable}, which settings.py does not read"
    )


@pytest.mark.parametrize("variable", sorted(_deploy_env_names()))
def test_every_setting_used_is_documented(variable):
    if variable in NOT_SETTINGS:
        return
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert f"`{variable.removesuffix('_FILE')}`" in documented


def test_secrets_come_from_files_not_from_the_environment_file():
    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    for secret in ("SECRET_KEY", "ALLIANTIEMONITOR_FIELD_KEYS", "DATABASE_URL"):
        assert not re.search(rf"^{secret}=", example, re.MULTILINE)
        for service in _app_services().values():
            assert secret not in service["environment"]
            assert service["environment"][f"{secret}_FILE"].startswith("/run/secrets/")
        for unit in UNITS:
            assert f"{secret}_FILE=%d/" in " ".join(_unit_lines(unit, "Environment"))


def _commands() -> list[tuple[str, list[str]]]:
    """Every command line deploy/ runs, with where: compose, the image, the systemd units."""
    found: list[tuple[str, list[str]]] = []
    for name, service in COMPOSE["services"].items():
        if "command" in service:
            found.append((f"compose {name}", service["command"]))
        test = (service.get("healthcheck") or {}).get("test")
        if test:
            found.append((f"compose {name} healthcheck", test[1:]))
    cmd = re.search(r"^CMD (\[.*\])$", (DEPLOY / "Containerfile").read_text(), re.MULTILINE)
    assert cmd is not None
    found.append(("Containerfile CMD", yaml.safe_load(cmd[1])))
    for unit in UNITS:
        for key in ("ExecStartPre", "ExecStart", "ExecReload"):
            for value in _unit_lines(unit, key):
                found.append((f"{unit.name} {key}", shlex.split(value)))
    return found


def _check_command(argv: list[str]) -> None:
    program = Path(argv[0]).name
    if program == "sh":
        assert argv[1] == "-c"
        for part in re.split(r"\s*(?:&&|;)\s*", argv[2]):
            _check_command(shlex.split(part))
    elif program.startswith("python"):
        if argv[1] == "manage.py":
            name = argv[2]
            commands = get_commands()
            assert name in commands, f"manage.py has no command {name!r}"
            # The command's own parser: an unknown flag fails here, not on the server.
            parser = load_command_class(commands[name], name).create_parser("manage.py", name)
            parser.parse_args(argv[3:])
        elif argv[1] == "-m":
            assert importlib.util.find_spec(argv[2]) is not None, argv[2]
        elif argv[1] == "-c":
            compile(argv[2], "<healthcheck>", "exec")
        else:
            raise AssertionError(f"unexpected python invocation {argv}")
    elif program == "gunicorn":
        args = argv[1:]
        config = args[args.index("--config") + 1]
        assert (ROOT / config).is_file(), config
        module, _, attribute = args[-1].partition(":")
        assert hasattr(importlib.import_module(module), attribute), args[-1]
    else:
        assert program in OTHER_PROGRAMS, f"unknown program {argv[0]!r}"


@pytest.mark.parametrize(("where", "argv"), _commands(), ids=lambda v: str(v)[:40])
def test_every_command_exists(where, argv):
    _check_command(argv)


def test_the_gunicorn_configuration_loads_and_logs_json_with_the_apps_formatter(monkeypatch):
    source = (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    monkeypatch.setenv("ALLIANTIEMONITOR_LOG_FORMAT", "json")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config: dict = {}
    exec(compile(source, "gunicorn.conf.py", "exec"), config)  # noqa: S102 (our own file)
    assert config["workers"] == 3
    assert config["accesslog"] is None  # gunicorn's access line would carry the query string
    formatter = config["logconfig_dict"]["formatters"]["json"]["()"]
    module, _, name = formatter.rpartition(".")
    assert hasattr(importlib.import_module(module), name)


def test_nginx_passes_the_request_id_and_logs_no_secrets():
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    log_format = re.search(r"log_format alliantiemonitor (.*?);", conf, re.DOTALL)
    assert log_format is not None
    for secret_variable in ("$request ", '$request"', "$args", "$query_string", "$request_uri"):
        assert secret_variable not in log_format[1]
    assert "~^/m/" in conf  # personal links masked in the access log
    # Every other route whose path carries a secret (the app masks the same ones in its own
    # logs) is masked by the map: each masked route's fixed start has a line of its own.
    from alliantiemonitor.web.logging import _secret_routes

    starts = {p.pattern.split("(?P<", 1)[0].replace("\\", "") for p in _secret_routes()}
    assert starts  # the password reset and the unsubscribe link at least
    mapped = re.findall(r"^\s*~\^(\S+)", conf, re.MULTILINE)
    for start in starts:
        assert any(pattern.startswith(start) for pattern in mapped), start
    # The static files nginx serves are the ones collectstatic wrote (the shared volume).
    alias = re.search(r"alias (\S+);", conf)
    assert alias is not None
    nginx_volumes = COMPOSE["services"]["nginx"]["volumes"]
    assert f"static:{alias[1].rstrip('/')}:ro" in nginx_volumes
    static_root = _app_services()["migrate"]["environment"]["STATIC_ROOT"]
    assert f"static:{static_root}" in _app_services()["migrate"]["volumes"]


def test_migrations_run_before_the_app_and_the_worker_start():
    services = COMPOSE["services"]
    for name in ("app", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert "readyz" in " ".join(services["app"]["healthcheck"]["test"])


def test_the_shared_cache_is_a_table_that_the_set_up_creates(settings):
    """Several app processes count API requests in one place (docs/api.md)."""
    assert "ALLIANTIEMONITOR_CACHE=database" in (DEPLOY / "env.example").read_text()
    assert "manage.py createcachetable" in " ".join(COMPOSE["services"]["migrate"]["command"])


def test_only_the_migration_step_connects_as_the_owner_of_the_tables():
    """The app's role owns nothing, so it cannot switch off the audit trigger (docs/audit.md)."""
    services = _app_services()
    assert services["migrate"]["environment"]["DATABASE_URL_FILE"].endswith("database_url_owner")
    for name in ("app", "worker"):
        assert services[name]["environment"]["DATABASE_URL_FILE"] == "/run/secrets/database_url"
        assert "database_url_owner" not in services[name]["secrets"]
    init = (DEPLOY / "postgres-init.sh").read_text(encoding="utf-8")
    assert "ALTER DEFAULT PRIVILEGES FOR ROLE alliantiemonitor_owner" in init
    assert "TRUNCATE" not in init
    assert COMPOSE["services"]["postgres"]["environment"]["POSTGRES_USER"] == (
        "alliantiemonitor_owner"
    )
