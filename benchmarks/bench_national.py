"""Load national-scale synthetic data into PostgreSQL and measure the staff pages on it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/am_national \\
        .venv/bin/python benchmarks/bench_national.py --trajectories 250000

What it does:

1. migrates the database named by ``DATABASE_URL`` (PostgreSQL only) and, unless it already
   holds this many trajectories (``--reuse``), empties the domain tables and loads
   organisations of about 25,000 trajectories each, with teams of professionals (about 40
   clients each), a client and a trajectory per dyad, their assignments, rounds every three
   months (about five per trajectory; the last one still open in part of them) and both
   parties' submitted responses with their stored scores, and a warning signal in about one
   trajectory in ten. Rows go in with ``COPY``; answers are random on the 1–5 scale (the
   figures are about queries, not psychometrics);
2. requests each staff page that lists or aggregates (the caseload of a professional, a
   trajectory's course, the joint view of a discussed round, and every page named with
   ``--page``) as the user who would open it,
   with Django's test client, and the API's lists and reads (trajectories, signals, a
   trajectory's rounds, a round and its results) with a token bound to that professional, and
   records per request the number of queries and the time (median of ``--repeat`` requests);
3. runs ``EXPLAIN`` on every ``SELECT`` those pages sent and reports each sequential scan on a
   big table (rounds, responses, scores, trajectories, assignments, clients, audit events).
   With ``--check`` the command exits non-zero when it finds one.

At a small scale (``--trajectories 2000``, as CI runs it) the planner rightly prefers
sequential scans on tiny tables, so below 50,000 trajectories the EXPLAIN step runs with
``enable_seqscan = off``: a query that still scans sequentially then has no index that can
serve it. At national scale the plans are taken as the planner chooses them, and a
sequential scan counts only on a table of at least 10,000 rows (an empty outcome table is
rightly read whole).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

#: Tables whose sequential scan on a page query is a defect at national scale.
BIG_TABLES = (
    "measurements_measurementround",
    "measurements_response",
    "measurements_responsescore",
    "measurements_invitation",
    "trajectories_trajectory",
    "trajectories_assignment",
    "trajectories_client",
    "trajectories_outcomeevent",
    "audit_auditevent",
    "monitoring_signal",
    "api_apitoken",
)
CLIENTS_PER_PROFESSIONAL = 40
TRAJECTORIES_PER_ORGANISATION = 25_000
PROFESSIONALS_PER_TEAM = 12
SMALL_SCALE = 50_000


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trajectories", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (median)")
    parser.add_argument("--reuse", action="store_true", help="keep data already loaded")
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="ROLE:URL_NAME",
        help="also measure this page, e.g. team_lead:dashboards:team (repeatable)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 on a sequential scan")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def setup_django() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench_national: set DATABASE_URL to a PostgreSQL database (it is emptied)")
    create_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliantiemonitor.settings")
    os.environ.setdefault("SECRET_KEY", "bench-national-" + uuid.uuid4().hex)
    os.environ.setdefault(
        "ALLIANTIEMONITOR_FIELD_KEYS", base64.urlsafe_b64encode(os.urandom(32)).decode()
    )
    os.environ.setdefault("ALLIANTIEMONITOR_DATA_DIR", str(ROOT / "var" / "bench"))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    import django

    django.setup()


def create_database(url: str) -> None:
    """Create the benchmark's database when it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


# --- loading -------------------------------------------------------------------------------


def fixed_defaults(model: Any, columns: Sequence[str]) -> dict[str, Any]:
    """The model's NOT NULL columns outside ``columns`` that have a plain (not callable) default.

    ``COPY`` knows nothing of Django's defaults: a field added later with ``default=False``
    would otherwise make every load fail on its NOT NULL constraint.
    """
    return {
        field.column: field.default
        for field in model._meta.concrete_fields
        if field.column not in columns
        and not field.null
        and field.has_default()
        and not callable(field.default)
    }


def copy_rows(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """``COPY`` rows into ``model``'s table; ``columns`` are database column names.

    NOT NULL columns left out that have a plain default get it (:func:`fixed_defaults`).
    """
    from django.db import connection

    table = model._meta.db_table
    defaults = fixed_defaults(model, columns)
    extra = tuple(defaults.values())
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        quoted = ", ".join(f'"{c}"' for c in [*columns, *defaults])
        statement = f"COPY {table} ({quoted}) FROM STDIN"
        with raw.copy(statement) as copy:
            for row in rows:
                copy.write_row((*row, *extra))
                count += 1
    return count


def next_ids(model: Any, count: int) -> np.ndarray:
    """Reserve ``count`` primary keys from ``model``'s sequence."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return np.array([r[0] for r in cursor.fetchall()], dtype=np.int64)


def empty_domain_tables() -> None:
    from django.apps import apps
    from django.db import connection

    tables = [
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label.split(".")[-1]
        in {
            "api",
            "audit",
            "organisations",
            "trajectories",
            "measurements",
            "conversations",
            "monitoring",
            "scheduling",
            "dashboards",
            "jobs",
            "accounts",
        }
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def load(trajectories: int, seed: int) -> dict[str, Any]:
    """Load the synthetic organisation; return who to log in as and what to open."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from alliantiemonitor.core.scoring import score_answers
    from alliantiemonitor.instruments.registry import get_registry
    from alliantiemonitor.measurements.models import MeasurementRound, Response, ResponseScore
    from alliantiemonitor.monitoring.models import Signal
    from alliantiemonitor.organisations.models import Membership, Organisation, Team
    from alliantiemonitor.trajectories.models import Assignment, Client, Trajectory

    rng = np.random.default_rng(seed)
    instrument = get_registry().get("standaard")
    User = get_user_model()
    now = timezone.now()
    today = timezone.localdate()
    n_prof = max(2, -(-trajectories // CLIENTS_PER_PROFESSIONAL))
    n_teams = max(1, -(-n_prof // PROFESSIONALS_PER_TEAM))

    with transaction.atomic():
        empty_domain_tables()
        # A national deployment is many organisations (a few regional probation services, youth
        # protection agencies, municipalities), about TRAJECTORIES_PER_ORGANISATION each.
        n_orgs = max(1, round(trajectories / TRAJECTORIES_PER_ORGANISATION))
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"Proefinstelling {o + 1:02d}",
                    slug="landelijk" if o == 0 else f"instelling-{o + 1:02d}",
                    domain="reclassering",
                )
                for o in range(n_orgs)
            ]
        )
        organisation = organisations[0]
        org_of_team = [organisations[t * n_orgs // n_teams] for t in range(n_teams)]
        teams = Team.objects.bulk_create(
            [Team(organisation=org_of_team[i], name=f"Team {i + 1:04d}") for i in range(n_teams)]
        )
        users = User.objects.bulk_create(
            [
                User(username=f"prof{i:06d}", first_name="Prof", last_name=f"{i}")
                for i in range(n_prof)
            ]
            + [User(username="teamlead"), User(username="orgadmin")]
        )
        professionals, team_lead, org_admin = users[:n_prof], users[n_prof], users[n_prof + 1]
        memberships = Membership.objects.bulk_create(
            [
                Membership(
                    user=u,
                    organisation=org_of_team[i // PROFESSIONALS_PER_TEAM],
                    role="professional",
                )
                for i, u in enumerate(professionals)
            ]
            + [
                Membership(user=team_lead, organisation=organisation, role="team_lead"),
                Membership(user=org_admin, organisation=organisation, role="org_admin"),
            ]
        )
        through = Membership.teams.through
        through.objects.bulk_create(
            [
                through(membership_id=m.pk, team_id=teams[i // PROFESSIONALS_PER_TEAM].pk)
                for i, m in enumerate(memberships[:n_prof])
            ]
            + [through(membership_id=memberships[n_prof].pk, team_id=teams[0].pk)]
        )

        # Clients and trajectories: dyad i belongs to professional i // 40, in that one's team.
        dyads = np.arange(trajectories)
        prof_of = dyads // CLIENTS_PER_PROFESSIONAL
        team_of = prof_of // PROFESSIONALS_PER_TEAM
        client_ids = next_ids(Client, trajectories)
        copy_rows(
            Client,
            [
                "id",
                "uuid",
                "organisation_id",
                "display_name",
                "preferred_language",
                "easy_read",
                "created_at",
                "updated_at",
            ],
            (
                (
                    int(client_ids[i]),
                    uuid.uuid4(),
                    org_of_team[int(team_of[i])].pk,
                    f"Cliënt {i:06d}",
                    "nl",
                    False,
                    now,
                    now,
                )
                for i in range(trajectories)
            ),
        )
        start_days = rng.integers(30, 3 * 365, size=trajectories)
        ended = rng.random(trajectories) < 0.3
        traj_ids = next_ids(Trajectory, trajectories)
        copy_rows(
            Trajectory,
            [
                "id",
                "uuid",
                "client_id",
                "organisation_id",
                "team_id",
                "legal_frame",
                "start_date",
                "end_date",
                "status",
                "created_at",
                "updated_at",
            ],
            (
                (
                    int(traj_ids[i]),
                    uuid.uuid4(),
                    int(client_ids[i]),
                    org_of_team[int(team_of[i])].pk,
                    teams[int(team_of[i])].pk,
                    "",
                    today - dt.timedelta(days=int(start_days[i])),
                    today - dt.timedelta(days=int(start_days[i]) // 4) if ended[i] else None,
                    "ended" if ended[i] else "active",
                    now,
                    now,
                )
                for i in range(trajectories)
            ),
        )
        copy_rows(
            Assignment,
            ["uuid", "trajectory_id", "professional_id", "start", "end", "reason", "created_at"],
            (
                (
                    uuid.uuid4(),
                    int(traj_ids[i]),
                    professionals[int(prof_of[i])].pk,
                    now - dt.timedelta(days=int(start_days[i])),
                    None,
                    "",
                    now,
                )
                for i in range(trajectories)
            ),
        )

        # Rounds every ~91 days from the start; the newest one of an active trajectory open
        # in a fifth of them.
        counts = np.maximum(1, start_days // 91).astype(np.int64)
        counts = np.where(ended, np.maximum(1, counts * 3 // 4), counts)
        n_rounds = int(counts.sum())
        round_traj = np.repeat(np.arange(trajectories), counts)
        round_index = np.arange(n_rounds) - np.repeat(np.cumsum(counts) - counts, counts)
        is_last = round_index == counts[round_traj] - 1
        still_open = is_last & ~ended[round_traj] & (rng.random(n_rounds) < 0.2)
        round_ids = next_ids(MeasurementRound, n_rounds)
        version = instrument.version
        states = np.where(still_open, "open", "discussed")
        copy_rows(
            MeasurementRound,
            [
                "id",
                "uuid",
                "trajectory_id",
                "instrument_id",
                "instrument_version",
                "domain",
                "state",
                "opened_by_id",
                "opened_at",
                "due_date",
                "closed_at",
                "after_handover",
                "professional_id",
                "updated_at",
            ],
            (
                (
                    int(round_ids[r]),
                    uuid.uuid4(),
                    int(traj_ids[t]),
                    instrument.id,
                    version,
                    "reclassering",
                    str(states[r]),
                    professionals[int(prof_of[t])].pk,
                    now - dt.timedelta(days=int(start_days[t]) - 91 * int(round_index[r])),
                    today - dt.timedelta(days=int(start_days[t]) - 91 * int(round_index[r]) - 14),
                    None if still_open[r] else now,
                    False,
                    professionals[int(prof_of[t])].pk,
                    now,
                )
                for r, t in enumerate(round_traj)
            ),
        )

        # Both parties answered every round that is not open; answers random on 1-5.
        answered = np.flatnonzero(~still_open)
        response_rows: list[tuple[Any, ...]] = []
        score_rows: list[tuple[Any, ...]] = []
        response_ids = next_ids(Response, 2 * len(answered))
        k = 0
        for rater, mode in (("client", "own_device"), ("professional", "professional_self")):
            items = [item.id for item in instrument.items_for(rater)]
            values = rng.integers(1, 6, size=(len(answered), len(items)))
            for row, r in enumerate(answered):
                answers = dict(zip(items, values[row].tolist(), strict=True))
                t = round_traj[r]
                opened = now - dt.timedelta(days=int(start_days[t]) - 91 * int(round_index[r]))
                response_id = int(response_ids[k])
                k += 1
                response_rows.append(
                    (
                        response_id,
                        uuid.uuid4(),
                        int(round_ids[r]),
                        rater,
                        professionals[int(prof_of[t])].pk if rater == "professional" else None,
                        json.dumps(answers),
                        "[]",
                        mode,
                        opened,
                        opened,
                        1,
                        None,
                        "",
                        True,
                        "",
                        opened,
                        "nl",
                    )
                )
                for key, value in score_answers(instrument, answers, rater).items():
                    score_rows.append((response_id, rater, key, value))
        copy_rows(
            Response,
            [
                "id",
                "uuid",
                "round_id",
                "rater",
                "respondent_id",
                "answers",
                "flagged",
                "mode",
                "started_at",
                "submitted_at",
                "version",
                "supersedes_id",
                "correction_reason",
                "is_current",
                "entry_key",
                "updated_at",
                # The language the answers were given in (measurements 0011); COPY skips
                # Django's default, so every column without a database default is named.
                "language",
            ],
            response_rows,
        )
        copy_rows(ResponseScore, ["response_id", "rater", "characteristic", "value"], score_rows)

        # Warning signals: about one trajectory in ten has one, raised at its latest closed
        # round; a quarter of them resolved since (what the signal lists and the API read).
        latest_closed = np.full(trajectories, -1, dtype=np.int64)
        closed_rounds = np.flatnonzero(~still_open)
        latest_closed[round_traj[closed_rounds]] = closed_rounds  # rounds are in order
        flagged = np.flatnonzero((latest_closed >= 0) & (rng.random(trajectories) < 0.1))
        kinds = ("deterioration", "friction", "disagreement")
        keys = [c.key for c in instrument.characteristics]
        copy_rows(
            Signal,
            [
                "uuid",
                "trajectory_id",
                "organisation_id",
                "kind",
                "round_id",
                "characteristic",
                "rater",
                "detail",
                "raised_at",
                "acknowledgement_note",
                "resolved_at",
                "updated_at",
            ],
            (
                (
                    uuid.uuid4(),
                    int(traj_ids[t]),
                    org_of_team[int(team_of[t])].pk,
                    kinds[t % len(kinds)],
                    int(round_ids[latest_closed[t]]),
                    keys[t % len(keys)],
                    "" if kinds[t % len(kinds)] == "disagreement" else "client",
                    "",
                    now,
                    "",
                    now if t % 4 == 0 else None,
                    now,
                )
                for t in flagged.tolist()
            ),
        )

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    first = Trajectory.objects.filter(assignments__professional=professionals[0]).first()
    return {
        "team": str(teams[0].uuid),
        "organisation": str(organisation.uuid),
        "professional": professionals[0].pk,
        "team_lead": team_lead.pk,
        "org_admin": org_admin.pk,
        "trajectory": str(first.uuid) if first else None,
        "rows": {
            "trajectories": trajectories,
            "rounds": n_rounds,
            "responses": len(response_rows),
            "scores": len(score_rows),
            "signals": len(flagged),
        },
    }


def existing(trajectories: int) -> dict[str, Any] | None:
    from django.contrib.auth import get_user_model

    from alliantiemonitor.measurements.models import MeasurementRound, Response, ResponseScore
    from alliantiemonitor.monitoring.models import Signal
    from alliantiemonitor.organisations.models import Organisation, Team
    from alliantiemonitor.trajectories.models import Trajectory

    if Trajectory.objects.count() != trajectories:
        return None
    User = get_user_model()
    professional = User.objects.get(username="prof000000")
    first = Trajectory.objects.filter(assignments__professional=professional).first()
    team = Team.objects.order_by("pk").first()
    organisation = Organisation.objects.get(slug="landelijk")
    return {
        "team": str(team.uuid) if team else None,
        "organisation": str(organisation.uuid),
        "professional": professional.pk,
        "team_lead": User.objects.get(username="teamlead").pk,
        "org_admin": User.objects.get(username="orgadmin").pk,
        "trajectory": str(first.uuid) if first else None,
        "rows": {
            "trajectories": trajectories,
            "rounds": MeasurementRound.objects.count(),
            "responses": Response.objects.count(),
            "scores": ResponseScore.objects.count(),
            "signals": Signal.objects.count(),
        },
    }


def _rows(table: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return float(row[0]) if row else 0.0


# --- measuring ----------------------------------------------------------------------------


def pages(loaded: dict[str, Any], extra: Sequence[str]) -> Iterator[tuple[str, str, int]]:
    """``(label, url, user pk)`` for each page to measure."""
    from django.urls import reverse

    yield "caseload (professional)", reverse("trajectories:caseload"), loaded["professional"]
    if loaded["trajectory"]:
        yield (
            "course (professional)",
            reverse("monitoring:course", args=[loaded["trajectory"]]),
            loaded["professional"],
        )
    closed = discussed_round(loaded)
    if closed is not None:
        yield (
            "joint view (professional)",
            reverse("conversations:joint", args=[closed.uuid]),
            loaded["professional"],
        )
    if loaded.get("team"):
        yield (
            "team dashboard (team lead)",
            reverse("dashboards:team", args=[loaded["team"]]),
            loaded["team_lead"],
        )
    if loaded.get("organisation"):
        yield (
            "organisation dashboard (admin)",
            reverse("dashboards:organisation", args=[loaded["organisation"]]),
            loaded["org_admin"],
        )
    for spec in extra:
        role, _, name = spec.partition(":")
        yield f"{name} ({role})", reverse(name), loaded[role]


def discussed_round(loaded: dict[str, Any]) -> Any:
    """A round of the professional's caseload that both parties finished (results readable)."""
    from alliantiemonitor.measurements.models import MeasurementRound

    return (
        MeasurementRound.objects.filter(
            trajectory__assignments__professional_id=loaded["professional"],
            trajectory__assignments__end__isnull=True,
            state="discussed",
        )
        .order_by("pk")
        .first()
    )


def api_requests(loaded: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(label, url)`` for each API call to measure, with a token bound to the professional."""
    from django.urls import reverse

    yield "API: trajectories", reverse("api:trajectories")
    yield "API: signals", reverse("api:signals")
    if loaded["trajectory"]:
        yield (
            "API: a trajectory's rounds",
            reverse("api:trajectory_rounds", args=[loaded["trajectory"]]),
        )
    closed = discussed_round(loaded)
    if closed is not None:
        yield "API: a round", reverse("api:round", args=[closed.uuid])
        yield "API: a round's results", reverse("api:round_results", args=[closed.uuid])


def api_token(loaded: dict[str, Any]) -> str:
    """A new token of the organisation's integration, bound to the measured professional."""
    from django.contrib.auth import get_user_model

    from alliantiemonitor.api.constants import Scope
    from alliantiemonitor.api.services import token_create
    from alliantiemonitor.organisations.models import Organisation

    User = get_user_model()
    _, secret = token_create(
        organisation=Organisation.objects.get(uuid=loaded["organisation"]),
        name="Benchmark",
        scopes=list(Scope.values),
        lifetime=dt.timedelta(days=1),
        by=User.objects.get(pk=loaded["org_admin"]),
        acting_for=User.objects.get(pk=loaded["professional"]),
    )
    return secret


#: A sequential scan on a table this small is the planner's right choice, not a missing index.
MIN_ROWS = 10_000


def seq_scans(plan: Any, min_rows: float = MIN_ROWS) -> list[str]:
    found: list[str] = []
    if isinstance(plan, dict):
        relation = plan.get("Relation Name")
        if (
            plan.get("Node Type") == "Seq Scan"
            and relation in BIG_TABLES
            and (min_rows <= 0 or _rows(relation) >= min_rows)
        ):
            found.append(relation)
        for child in plan.get("Plans", []):
            found.extend(seq_scans(child, min_rows))
    elif isinstance(plan, list):
        for node in plan:
            found.extend(seq_scans(node.get("Plan", node), min_rows))
    return found


def _second_factor_done(browser: Any, user: Any) -> None:
    """Mark the session as past the second step, as after a login with the app's code.

    Every staff page requires it; the pages are measured as a logged-in user sees them, with
    the second factor's own query (is the device still there?) included.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from alliantiemonitor.common.reauth import FULL_AUTH_KEY

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Benchmark app"}
    )
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[FULL_AUTH_KEY] = int(time.time())
    session.save()


def measure(
    loaded: dict[str, Any], extra: Sequence[str], repeat: int, force_index: bool
) -> list[dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    User = get_user_model()
    results = []
    requests: list[tuple[str, str, Any, dict[str, str]]] = [
        (label, url, User.objects.get(pk=user_pk), {})
        for label, url, user_pk in pages(loaded, extra)
    ]
    secret = api_token(loaded)
    requests += [
        (label, url, None, {"HTTP_AUTHORIZATION": f"Bearer {secret}"})
        for label, url in api_requests(loaded)
    ]
    for label, url, user, headers in requests:
        browser = Client(**headers)
        if user is not None:
            browser.force_login(user)
            _second_factor_done(browser, user)
        times = []
        # Django clears the query log when a request starts (reset_queries), so read it
        # after the request rather than slicing it as CaptureQueriesContext does.
        connection.force_debug_cursor = True
        response = browser.get(url, secure=True)
        captured = list(connection.queries_log)
        connection.force_debug_cursor = False
        if response.status_code != 200:
            sys.exit(f"bench_national: {url} answered {response.status_code}")
        for _ in range(repeat):
            started = time.perf_counter()
            browser.get(url, secure=True)
            times.append(time.perf_counter() - started)
        scans: set[str] = set()
        with connection.cursor() as cursor:
            if force_index:
                cursor.execute("SET enable_seqscan = off")
            for query in captured:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                scans.update(
                    seq_scans(
                        plan if isinstance(plan, list) else json.loads(plan),
                        0 if force_index else MIN_ROWS,
                    )
                )
            cursor.execute("RESET enable_seqscan")
        results.append(
            {
                "page": label,
                "queries": len(captured),
                "median_ms": round(statistics.median(times) * 1000, 1),
                "seq_scans": sorted(scans),
            }
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    loaded = existing(args.trajectories) if args.reuse else None
    if loaded is None:
        started = time.perf_counter()
        loaded = load(args.trajectories, args.seed)
        print(f"loaded {loaded['rows']} in {time.perf_counter() - started:.0f} s")
    else:
        print(f"reusing {loaded['rows']}")
    force_index = args.trajectories < SMALL_SCALE
    results = measure(loaded, args.page, args.repeat, force_index)
    print(f"\n{'page':<40} {'queries':>7} {'median':>9}  sequential scans on big tables")
    for r in results:
        scans = ", ".join(r["seq_scans"]) or "none"
        print(f"{r['page']:<40} {r['queries']:>7} {r['median_ms']:>7.1f}ms  {scans}")
    if force_index:
        print(f"\n(below {SMALL_SCALE:,} trajectories EXPLAIN ran with enable_seqscan = off)")
    if args.json:
        args.json.write_text(json.dumps({"rows": loaded["rows"], "pages": results}, indent=2))
    if args.check and any(r["seq_scans"] for r in results):
        print("bench_national: sequential scans found", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
