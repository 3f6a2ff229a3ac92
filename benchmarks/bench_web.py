"""Load the web app as a national deployment would: gunicorn on PostgreSQL, driven by locust.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliantiemonitor_bench_web \\
        .venv/bin/python benchmarks/bench_web.py --trajectories 250000 --users 50 \\
        --locust tools/locust/.venv/bin/locust

What it does:

1. loads ``bench_national.py``'s synthetic organisations into the PostgreSQL database of
   ``DATABASE_URL`` (its loader: the domain tables are emptied) unless ``--reuse`` finds them;
2. prepares what the traffic needs, through the product's own services where there is one:
   professionals with a known synthetic password and an authenticator app whose key the load
   tool knows (the login's second step is taken as a person would), personal links to open
   rounds (``invitation_create``; rounds started with ``round_start`` when too few are open)
   and API tokens bound to those professionals (``token_create``);
3. collects the static files and starts the app as production runs it: gunicorn with
   ``--workers`` sync workers on a free loopback port, ``DEBUG`` off, a fresh random secret,
   ``ALLOWED_HOSTS=127.0.0.1``; only the HTTPS-only options are off (plain HTTP on loopback);
4. runs locust (``benchmarks/locustfile_web.py``, headless, in its own environment): a short
   warm-up of the mix (each worker loads templates and catalogues on first use; its figures
   are left out, its errors count), then four measured runs:

   * **mix**: ``--users`` people with 1–3 s think time: clients opening their link, the
     questionnaire, saving answers one by one as the page's script does and sending;
     professionals (logged in once each) opening their caseload, a joint view and a course;
     API calls with a token (trajectories, signals, a round's results);
   * **floor**: the same users and think time against ``/healthz`` (a bare Django view that
     asks the database ``SELECT 1``);
   * **saving** and **floor at saturation**: ``--saturation-users`` without think time, only
     answer saving, then only ``/healthz``: the most each can serve.

It prints requests per second and p50/p95/p99 per kind of request, the floor next to them, the
ratio of answer saving to the floor at saturation and the errors, and exits 1 on any error
(a 5xx, an unexpected answer, a failed request). The goals are printed beside the figures.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_national  # the loader, next to this script
from client_app import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "benchmarks" / "locustfile_web.py"
#: The synthetic password of every prepared professional (synthetic accounts only).
PASSWORD = "bench-web-wachtwoord-2026"  # noqa: S105
#: Goals of issue 11 at 50 concurrent users on the 2-core machine.
GOAL_P95_MS = 100
GOAL_SAVE_RATIO = 0.5
#: Kinds of request of the mix that the locustfile names; the floor's kind.
SAVE_KIND = "client: save answer"
#: A short run of the mix before the measured ones, its figures left out.
WARM_UP_USERS = 8
WARM_UP_SECONDS = 10
FLOOR_KIND = "floor: /healthz"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trajectories", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument(
        "--reuse", action="store_true", help="keep data and static files already there"
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent users of the mix")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--run-time", type=int, default=120, help="seconds of the mix")
    parser.add_argument("--floor-time", type=int, help="seconds of each other run (run-time / 4)")
    parser.add_argument("--saturation-users", type=int, default=8)
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="stop a run after this many requests"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--locust", type=Path, default=ROOT / "tools" / "locust" / ".venv" / "bin" / "locust"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


# --- what the traffic needs -----------------------------------------------------------------


def prepare(
    loaded: dict[str, Any], *, professionals: int, links: int, tokens: int
) -> dict[str, Any]:
    """Accounts, links and tokens for the load tool; written to its fixture file."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from alliantiemonitor.measurements.models import MeasurementRound
    from alliantiemonitor.organisations.models import Organisation

    User = get_user_model()
    organisation = Organisation.objects.get(uuid=loaded["organisation"])
    users = list(
        User.objects.filter(
            memberships__organisation=organisation, memberships__role="professional"
        ).order_by("username")[:professionals]
    )
    if not users:
        sys.exit("bench_web: no professionals loaded")
    # One hash for all: Argon2 takes a fifth of a second per password, the same for each.
    User.objects.filter(pk__in=[u.pk for u in users]).update(
        password=make_password(PASSWORD), must_change_password=False
    )
    # The app devices are made confirmed here, not through app_device_confirm: confirming
    # takes a code, and django-otp refuses that code's time step for the next login (replay),
    # which the warm-up would hit within 30 s.
    TOTPDevice.objects.filter(user__in=users).delete()
    accounts = []
    for user in users:
        key = secrets.token_hex(20)
        TOTPDevice.objects.create(user=user, name="Bench-app", key=key, confirmed=True)
        trajectories = _trajectories_of(user)
        rounds = list(
            MeasurementRound.objects.filter(
                trajectory__assignments__professional=user,
                trajectory__assignments__end__isnull=True,
                state="discussed",
            )
            .order_by("-opened_at")
            .values_list("uuid", flat=True)[:10]
        )
        accounts.append(
            {
                "username": user.username,
                "password": PASSWORD,
                "totp_key": key,
                "trajectories": [str(t) for t in trajectories],
                "joint_rounds": [str(r) for r in rounds],
            }
        )
    admin = User.objects.get(pk=loaded["org_admin"])
    return {
        "professionals": accounts,
        "links": client_links(organisation, links),
        "api": [api_token(organisation, admin, users[i % len(users)]) for i in range(tokens)],
    }


def _trajectories_of(user: Any) -> list[Any]:
    from alliantiemonitor.trajectories.models import Trajectory

    return list(
        Trajectory.objects.filter(assignments__professional=user, assignments__end__isnull=True)
        .order_by("pk")
        .values_list("uuid", flat=True)[:10]
    )


def client_links(organisation: Any, count: int) -> list[str]:
    """Personal links (secrets) to ``count`` open rounds, made by their professionals."""
    from alliantiemonitor.measurements.constants import COLLECTING_STATES, InvitationKind
    from alliantiemonitor.measurements.models import MeasurementRound
    from alliantiemonitor.measurements.services import invitation_create, round_start
    from alliantiemonitor.trajectories.models import Assignment, Trajectory

    rounds = list(
        MeasurementRound.objects.filter(
            trajectory__organisation=organisation, state="open", responses__isnull=True
        )
        .select_related("professional")
        .order_by("pk")[:count]
    )
    if len(rounds) < count:
        # Not enough open rounds at this scale: start one on active trajectories without one.
        spare = (
            Trajectory.objects.filter(organisation=organisation, status="active")
            # A round a previous run (--reuse) answered in part still collects: not spare.
            .exclude(rounds__state__in=COLLECTING_STATES)
            .order_by("pk")[: count - len(rounds)]
        )
        for trajectory in spare:
            assignment = Assignment.objects.get(trajectory=trajectory, end__isnull=True)
            rounds.append(round_start(trajectory=trajectory, by=assignment.professional))
    links = []
    for measurement_round in rounds:
        _invitation, secret = invitation_create(
            round=measurement_round, kind=InvitationKind.LINK, by=measurement_round.professional
        )
        links.append(secret)
    if len(links) < count:
        sys.exit(f"bench_web: only {len(links)} open rounds for {count} client links")
    return links


def api_token(organisation: Any, admin: Any, professional: Any) -> dict[str, Any]:
    """A token with every scope, bound to ``professional``, and what it may read."""
    from alliantiemonitor.api.constants import Scope
    from alliantiemonitor.api.services import token_create
    from alliantiemonitor.measurements.models import MeasurementRound

    _token, secret = token_create(
        organisation=organisation,
        name=f"Benchmark {professional.username}",
        scopes=list(Scope.values),
        lifetime=dt.timedelta(days=1),
        by=admin,
        acting_for=professional,
    )
    rounds = MeasurementRound.objects.filter(
        trajectory__assignments__professional=professional,
        trajectory__assignments__end__isnull=True,
        state="discussed",
    ).order_by("pk")
    return {
        "secret": secret,
        "rounds": [str(u) for u in rounds.values_list("uuid", flat=True)[:10]],
    }


# --- the server ------------------------------------------------------------------------------


def server_environment(data_dir: Path) -> dict[str, str]:
    """Production settings on plain HTTP at 127.0.0.1 (the secrets of this process's ``env``)."""
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "ALLIANTIEMONITOR_DATA_DIR": str(data_dir),
            "STATIC_MANIFEST": "true",
            # Loopback speaks plain HTTP; everything else stays as production has it.
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            # Kept connections, as docs/production.md and deploy/ configure them: without,
            # every request pays a new PostgreSQL backend, which production never does.
            "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
            "DJANGO_SETTINGS_MODULE": "alliantiemonitor.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "LOG_LEVEL": "WARNING",
            # JSON lines, as production logs them: one access line per request with the CPU
            # time the app spent on it, which the figures sum per page (``server_cpu``).
            "ALLIANTIEMONITOR_LOG_FORMAT": "json",
        }
    )
    return env


def start_server(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(  # noqa: S603 (our own app, on loopback)
        [
            str(gunicorn),
            "alliantiemonitor.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/healthz")
    return process, base


# --- locust and its figures ------------------------------------------------------------------


@dataclass
class Kind:
    """One row of locust's statistics: a kind of request (or the aggregate)."""

    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def read_stats(path: Path) -> list[Kind]:
    """The rows of a locust ``*_stats.csv`` (the last one, ``Aggregated``, included)."""
    with path.open(newline="") as handle:
        return [
            Kind(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=float(row["Requests/s"]),
                # Locust writes "N/A" for a percentile of a kind without requests.
                p50=_number(row["50%"]),
                p95=_number(row["95%"]),
                p99=_number(row["99%"]),
            )
            for row in csv.DictReader(handle)
        ]


def read_failures(path: Path) -> list[str]:
    """``"<count>× <method> <name>: <error>"`` per row of a locust ``*_failures.csv``."""
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [
            f"{row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(handle)
        ]


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")


def run_locust(
    args: argparse.Namespace,
    *,
    base: str,
    fixture: Path,
    folder: Path,
    label: str,
    users: int,
    seconds: int,
    classes: Sequence[str],
    think: tuple[float, float],
) -> tuple[list[Kind], list[str]]:
    prefix = folder / label
    command = [
        str(args.locust),
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(min(args.spawn_rate, users)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--final-csv",
        str(prefix),
        "--bench-fixture",
        str(fixture),
        "--think-min",
        str(think[0]),
        "--think-max",
        str(think[1]),
        "--max-requests",
        str(args.max_requests),
        *classes,
    ]
    print(f"[{label}] {users} users, {seconds} s: {', '.join(classes)}", flush=True)
    log = prefix.with_name(prefix.name + ".log")
    with log.open("wb") as output:
        # Locust exits 1 on a failed request; the figures say which, read from its files.
        subprocess.run(  # noqa: S603 (our own locustfile)
            command, cwd=ROOT, check=False, stdout=output, stderr=subprocess.STDOUT
        )
    stats = prefix.with_name(prefix.name + "_stats.csv")
    if not stats.exists():
        sys.exit(f"bench_web: locust wrote no statistics for {label}\n{log.read_text()[-3000:]}")
    return read_stats(stats), read_failures(prefix.with_name(prefix.name + "_failures.csv"))


@dataclass
class Cpu:
    """The app's CPU time per request of one view in one run (the access lines' ``cpu_ms``)."""

    view: str
    requests: int
    mean: float
    p50: float
    p95: float


def server_cpu(log_text: str) -> list[Cpu]:
    """CPU milliseconds per request, per view, from the server's JSON access lines.

    Unlike the response times, which the load of the whole machine sets, a request's CPU time
    in the app process hardly depends on what else runs: it compares code between runs on a
    busy machine. PostgreSQL's own CPU is not in it. Other lines are skipped.
    """
    per_view: dict[str, list[float]] = {}
    for line in log_text.splitlines():
        if '"alliantiemonitor.access"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        cpu = entry.get("cpu_ms")
        if entry.get("logger") != "alliantiemonitor.access" or not isinstance(cpu, int | float):
            continue
        per_view.setdefault(entry.get("view") or "(no view)", []).append(float(cpu))
    rows = []
    for view, times in sorted(per_view.items(), key=lambda item: -sum(item[1])):
        times.sort()
        rows.append(
            Cpu(
                view=view,
                requests=len(times),
                mean=sum(times) / len(times),
                p50=_percentile(times, 0.50),
                p95=_percentile(times, 0.95),
            )
        )
    return rows


def _percentile(ordered: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def cpu_lines(title: str, rows: Sequence[Cpu]) -> list[str]:
    lines = [title, f"{'view':<40} {'requests':>8} {'mean':>6} {'p50':>6} {'p95':>6}"]
    lines += [
        f"{row.view:<40} {row.requests:>8} {row.mean:>6.1f} {row.p50:>6.1f} {row.p95:>6.1f}"
        for row in rows
    ]
    return lines


def summary_lines(
    mix: Sequence[Kind], floor: Kind | None, save: Kind | None, floor_max: Kind | None
) -> list[str]:
    """The printed table: each kind of the mix, the floor under it, the saturation figures."""
    head = f"{'kind of request':<34} {'requests':>8} {'failed':>6} {'req/s':>7} "
    head += f"{'p50':>6} {'p95':>6} {'p99':>6}  goal p95 <= {GOAL_P95_MS} ms"
    lines = [head]

    def row(kind: Kind, goal: bool = True) -> str:
        verdict = ""
        if goal and kind.requests:
            verdict = "ok" if kind.p95 <= GOAL_P95_MS else "MISSED"
        return (
            f"{kind.name:<34} {kind.requests:>8} {kind.failures:>6} {kind.rps:>7.1f} "
            f"{kind.p50:>6.0f} {kind.p95:>6.0f} {kind.p99:>6.0f}  {verdict}"
        )

    lines += [row(k) for k in mix]
    if floor is not None:
        lines.append(row(Kind(**{**asdict(floor), "name": "floor (same users, /healthz)"})))
    if save is not None and floor_max is not None:
        lines.append("")
        lines.append("at saturation (no think time):")
        lines.append(row(Kind(**{**asdict(save), "name": "answer saving alone"}), goal=False))
        lines.append(row(Kind(**{**asdict(floor_max), "name": "floor, /healthz"}), goal=False))
        ratio = saving_ratio(save, floor_max)
        verdict = "ok" if ratio >= GOAL_SAVE_RATIO else "MISSED"
        lines.append(
            f"answer saving / floor: {ratio:.2f}x (goal at least {GOAL_SAVE_RATIO}x)  {verdict}"
        )
    return lines


def saving_ratio(save: Kind | None, floor: Kind | None) -> float:
    """Answer saving's throughput over the floor's, both at saturation."""
    return save.rps / floor.rps if save and floor and floor.rps else 0.0


def aggregate(kinds: Sequence[Kind]) -> Kind | None:
    return next((k for k in kinds if k.name == "Aggregated"), None)


def as_json(kinds: Sequence[Kind]) -> list[dict[str, Any]]:
    """The rows for ``--json``: a percentile without requests is ``null`` (JSON has no NaN)."""
    return [
        {key: None if isinstance(v, float) and math.isnan(v) else v for key, v in asdict(k).items()}
        for k in kinds
    ]


def count_errors(runs: Sequence[Sequence[Kind]]) -> int:
    """Failed requests of every run; a run without any request counts as one error."""
    errors = 0
    for kinds in runs:
        total = aggregate(kinds)
        errors += total.failures if total and total.requests else 1
    return errors


def write_fixture(path: Path, fixture: dict[str, Any]) -> Path:
    """What one locust run needs (passwords, app keys, link and token secrets): owner only."""
    path.touch(mode=0o600)
    path.write_text(json.dumps(fixture))
    return path


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.locust.exists():
        sys.exit(f"bench_web: no locust at {args.locust} (make tools/locust/.venv/.installed)")
    data_dir = ROOT / "var" / "bench-web"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ALLIANTIEMONITOR_DATA_DIR"] = str(data_dir)
    # A fresh random secret, shared with the server: links and tokens are keyed with it. The
    # server also reads what the loader wrote with the same key for free text about clients.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ.setdefault(
        "ALLIANTIEMONITOR_FIELD_KEYS", base64.urlsafe_b64encode(os.urandom(32)).decode()
    )
    bench_national.setup_django()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.perf_counter() - started:.0f} s", flush=True)
    loaded = bench_national.existing(args.trajectories) if args.reuse else None
    started = time.perf_counter()
    if loaded is None:
        loaded = bench_national.load(args.trajectories, args.seed)
        print(f"loaded {loaded['rows']} in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        print(f"reusing {loaded['rows']}", flush=True)

    floor_time = args.floor_time or max(10, args.run_time // 4)
    # Enough links for every client of the mix to fill in every ~20 s, and one per saver; the
    # warm-up has accounts and links of its own (an app code is taken once per 30 s).
    mix_links = args.users * (args.run_time // 20 + 2)
    warm_users = min(args.users, WARM_UP_USERS)
    warm_links = warm_users * (WARM_UP_SECONDS // 5 + 2)
    # The mix has two professionals in six users (the locustfile's weights), and some spare.
    accounts = min(args.users, args.users // 3 + 2)
    started = time.perf_counter()
    prepared = prepare(
        loaded,
        professionals=accounts + warm_users,
        links=mix_links + args.saturation_users + warm_links,
        tokens=min(args.users, 10),
    )
    links = prepared["links"]
    fixture = {
        "professionals": prepared["professionals"][:accounts],
        "links": links[:mix_links],
        "saver_links": links[mix_links : mix_links + args.saturation_users],
        "api": prepared["api"],
    }
    warm_up = {
        "professionals": prepared["professionals"][accounts:],
        "links": links[mix_links + args.saturation_users :],
        "saver_links": [],
        "api": prepared["api"],
    }
    print(
        f"prepared {len(prepared['professionals'])} professionals, {len(links)} links, "
        f"{len(prepared['api'])} API tokens in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    from django.db import connections

    connections.close_all()

    env = server_environment(data_dir)
    started = time.perf_counter()
    # Hashed names and compressed copies, as production serves them; --reuse keeps them.
    if not (args.reuse and (data_dir / "static" / "staticfiles.json").exists()):
        subprocess.run(  # noqa: S603 (our own manage.py)
            [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"collected the static files in {time.perf_counter() - started:.0f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        folder = Path(tmp)
        fixture_path = write_fixture(folder / "fixture.json", fixture)
        server_log_path = folder / "gunicorn.log"
        server, base = start_server(env, args.workers, server_log_path)
        offsets: dict[str, int] = {}

        def mark(label: str) -> None:
            offsets[label] = server_log_path.stat().st_size

        try:
            # Every worker loads templates, URLs and catalogues on first use: not measured.
            warm, warm_failures = run_locust(
                args,
                base=base,
                fixture=write_fixture(folder / "warm-up.json", warm_up),
                folder=folder,
                label="warm-up",
                users=warm_users,
                seconds=WARM_UP_SECONDS,
                classes=["ClientUser", "ProfessionalUser", "ApiUser"],
                think=(0.2, 0.5),
            )
            load_before = load_average()
            common = {"base": base, "fixture": fixture_path, "folder": folder}
            mark("mix")
            mix, mix_failures = run_locust(
                args,
                **common,
                label="mix",
                users=args.users,
                seconds=args.run_time,
                classes=["ClientUser", "ProfessionalUser", "ApiUser"],
                think=(1, 3),
            )
            mark("floor")
            floor, floor_failures = run_locust(
                args,
                **common,
                label="floor",
                users=args.users,
                seconds=floor_time,
                classes=["FloorUser"],
                think=(1, 3),
            )
            mark("saving")
            save, save_failures = run_locust(
                args,
                **common,
                label="saving",
                users=args.saturation_users,
                seconds=floor_time,
                classes=["SaverUser"],
                think=(0, 0),
            )
            mark("floor-saturated")
            floor_max, floor_max_failures = run_locust(
                args,
                **common,
                label="floor-saturated",
                users=args.saturation_users,
                seconds=floor_time,
                classes=["FloorUser"],
                think=(0, 0),
            )
            mark("end")
            load_after = load_average()
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log_bytes = server_log_path.read_bytes()
            server_log = server_log_bytes.decode(errors="replace")

    def cpu_of(start: str, end: str) -> list[Cpu]:
        # Every mark is set here: a run that fails leaves through the exception above.
        part = server_log_bytes[offsets[start] : offsets[end]]
        return server_cpu(part.decode(errors="replace"))

    cpu = {
        "mix": cpu_of("mix", "floor"),
        "saving": cpu_of("saving", "floor-saturated"),
        "floor_saturated": cpu_of("floor-saturated", "end"),
    }

    save_kind = next((k for k in save if k.name == SAVE_KIND), None)
    lines = summary_lines(
        [k for k in mix if k.name != "Aggregated"] + [k for k in mix if k.name == "Aggregated"],
        aggregate(floor),
        save_kind,
        aggregate(floor_max),
    )
    print()
    print(
        f"{args.trajectories:,} trajectories, gunicorn {args.workers} sync workers, "
        f"{args.users} users (1-3 s think time), {args.run_time} s; load average "
        f"(1, 5, 15 min) {load_before} before, {load_after} after; milliseconds"
    )
    print("\n".join(lines))
    print()
    mix_cpu = cpu_lines("the app's CPU per request in the mix (ms, one process):", cpu["mix"])
    saturated_cpu = cpu_lines("at saturation:", cpu["saving"][:1] + cpu["floor_saturated"][:1])
    print("\n".join([*mix_cpu, "", *saturated_cpu]))
    failures = warm_failures + mix_failures + floor_failures + save_failures + floor_max_failures
    errors = count_errors([warm, mix, floor, save, floor_max])
    print(f"\nerrors: {errors}")
    for failure in failures:
        print(f"  {failure}")
    if errors and "Traceback" in server_log:
        print("\nthe server's log:\n" + server_log[-4000:])
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "date": dt.date.today().isoformat(),
                    "rows": loaded["rows"],
                    "workers": args.workers,
                    "users": args.users,
                    "run_time": args.run_time,
                    "saturation_users": args.saturation_users,
                    "load_average": {"before": load_before, "after": load_after},
                    "mix": as_json(mix),
                    "floor": as_json(floor),
                    "saving": as_json(save),
                    "floor_saturated": as_json(floor_max),
                    "saving_over_floor": saving_ratio(save_kind, aggregate(floor_max)),
                    "cpu_ms": {run: [asdict(row) for row in rows] for run, rows in cpu.items()},
                    "errors": errors,
                    "failures": failures,
                },
                indent=2,
            )
        )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
