# The two set-up commands in the README are `make demo` and `make test`; everything else is
# a building block of those two. Nothing here needs more than python3 (3.11–3.13), node/npm and,
# for the PostgreSQL half of the tests, the local PostgreSQL server.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL used by the test suite (pytest-django creates and drops test_alliantiemonitor*).
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/alliantiemonitor
# Two test processes (pytest-xdist): the suite is written to run in parallel, and CI stays well
# under 30 minutes. `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n 2
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test install install-test lint typecheck checks test-sqlite test-postgres restore-test \
        bench-core bench-national bench-national-ci bench-web bench-web-ci bench-web-export bench-research bench-research-ci bench-signals bench-password signal-quality bench-client-page lighthouse screenshots messages client-messages compilemessages clean

## demo: install, migrate, load the synthetic demo organisation and serve it on http://$(HOST):$(PORT)/
## (with the background worker beside the web server; both stop together)
# The demo's mail goes to files in var/mail/ (not the terminal, where it would push the logins
# out of sight), with links to this address. Logins need no second factor in the demo (every page
# says so); in production they do, and `check --deploy` refuses it off.
DEMO_ENV = DEBUG=true SECRET_KEY_FILE=var/secret_key ALLIANTIEMONITOR_REQUIRE_2FA=false \
	ALLIANTIEMONITOR_FIELD_KEYS_FILE=var/field_keys ALLIANTIEMONITOR_BASE_URL=http://$(HOST):$(PORT) \
	EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH=var/mail
demo: install var/secret_key var/field_keys
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py demo --address http://$(HOST):$(PORT)/
	@echo "The worker runs beside the server; the e-mail it sends is written to var/mail/."
	$(DEMO_ENV) $(PY) manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

## test: install the test dependencies, then lint, check and run the whole suite on SQLite and PostgreSQL
test: install-test
	$(MAKE) --no-print-directory lint typecheck checks test-sqlite test-postgres bench-national-ci

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

$(VENV)/.installed-test: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON) --extra test
	touch $@ $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The system libraries WeasyPrint needs for the study report's PDF (Pango; Debian, as root).
install: $(VENV)/.installed node_modules/.installed
	bash scripts/install-system-packages.sh --runtime
install-test: $(VENV)/.installed-test node_modules/.installed
	bash scripts/install-system-packages.sh

var/secret_key:
	mkdir -p -m 700 var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# The demo's key for free text about clients (docs/encryption.md): 32 random bytes, base64.
var/field_keys:
	mkdir -p -m 700 var
	$(PYTHON) -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())" > $@
	chmod 600 $@

lint:
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/lint-imports --no-cache

typecheck:
	$(VENV)/bin/mypy

# Production-like settings: DEBUG off, a real secret, HTTPS-only cookies, a host name, and the
# HSTS options a production site on its own domain should choose (see docs/configuration.md).
CHECK_ENV := DEBUG=false SECRET_KEY=ci-check-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n') \
	ALLOWED_HOSTS=alliantiemonitor.example.org ALLIANTIEMONITOR_DATA_DIR=var/check \
	ALLIANTIEMONITOR_BASE_URL=https://alliantiemonitor.example.org \
	ALLIANTIEMONITOR_FIELD_KEYS=$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_') \
	SECURE_HSTS_INCLUDE_SUBDOMAINS=true SECURE_HSTS_PRELOAD=true

checks:
	$(CHECK_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(CHECK_ENV) $(PY) manage.py check --database default --fail-level WARNING

# --durations: the slowest tests in the log, to keep the whole run under 30 minutes.
test-sqlite:
	$(VENV)/bin/pytest $(PYTEST_ARGS) --durations=15

# The pure core (tests/core, and the research benchmark on it) knows no database: the import
# contract forbids Django there, so running it a second time on PostgreSQL proves nothing. The
# same holds for the command-line tests of commands over files (analyse, export, instruments,
# score, signals, synth): those commands import no Django (tests/core/test_no_django.py) and
# the tests have no database access (pytest-django refuses it without a django_db mark).
PG_SKIP_PURE := $(foreach t,analyse analyse_report export_cli instruments_cli score_cli \
	signals_cli synth_cli,--ignore=tests/cli/test_$(t).py)
# The browser tests that check what a page looks like and how it is used — axe on every page,
# reflow at 320 px and 200 %, right to left, keyboard-only runs, the card game's gestures, the
# read-aloud button, the page shell and layout, practice (which stores nothing) — test the
# browser's side of pages the database does not shape differently; every one of those URLs is
# also opened on PostgreSQL, as every role, by the authorisation matrix (tests/permissions) and
# the page list (tests/web/test_pages.py). The browser tests of the flows (monitor, periodic
# monitoring, research, outcomes, dashboards, logins) do run on PostgreSQL.
PG_SKIP_BROWSER := $(foreach t,axe_every_page reflow rtl keyboard_only card_mode read_aloud \
	shell page_layout narrow_tables client_questionnaire practice,--ignore=tests/e2e/test_$(t).py)
test-postgres:
	bash scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest $(PYTEST_ARGS) --ignore=tests/core \
		--ignore=tests/benchmarks $(PG_SKIP_PURE) $(PG_SKIP_BROWSER)

## restore-test: back up the demo database, restore it into a scratch database and compare every
## table (docs/backups.md; on an installation: `alliantiemonitor restore-test`)
restore-test: install var/secret_key
	$(DEMO_ENV) $(PY) manage.py restore_test

## bench-core: score 1,000,000 synthetic responses and print time and peak memory
bench-core: install-test
	$(PY) benchmarks/bench_core.py --n 1000000

## bench-national: load national-scale synthetic data into PostgreSQL (BENCH_PG_URL, emptied!)
## and measure the staff pages: queries, time, and EXPLAIN (no sequential scan on a big table)
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/alliantiemonitor_bench
BENCH_TRAJECTORIES ?= 250000
bench-national: install-test
	bash scripts/ensure-postgres.sh
	DATABASE_URL=$(BENCH_PG_URL) $(PY) benchmarks/bench_national.py \
		--trajectories $(BENCH_TRAJECTORIES) --check $(BENCH_ARGS)

# CI runs the national benchmark at a small scale, in a database of its own.
bench-national-ci:
	$(MAKE) --no-print-directory bench-national BENCH_TRAJECTORIES=2000 BENCH_ARGS="--repeat 1" \
		BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/alliantiemonitor_bench_ci

## bench-web: load national-scale synthetic data into BENCH_WEB_PG_URL (emptied!), serve it with
## gunicorn (4 sync workers, production settings) on loopback and drive it with locust: clients
## filling in, professionals, API calls; then answer saving and /healthz (the floor) at saturation
BENCH_WEB_PG_URL ?= postgres://postgres@127.0.0.1:5432/alliantiemonitor_bench_web
BENCH_WEB_TRAJECTORIES ?= 250000
BENCH_WEB_USERS ?= 50
BENCH_WEB_TIME ?= 120
LOCUST_VENV := tools/locust/.venv
# Locust has an environment of its own (its gevent patches the standard library), pinned with
# hashes like tools/lighthouse's npm lock file.
$(LOCUST_VENV)/.installed: $(UV) tools/locust/requirements.txt
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(LOCUST_VENV)
	VIRTUAL_ENV=$(LOCUST_VENV) $(UV) pip sync --quiet --require-hashes tools/locust/requirements.txt
	touch $@
bench-web: install-test $(LOCUST_VENV)/.installed
	bash scripts/ensure-postgres.sh
	DATABASE_URL=$(BENCH_WEB_PG_URL) $(PY) benchmarks/bench_web.py \
		--trajectories $(BENCH_WEB_TRAJECTORIES) --users $(BENCH_WEB_USERS) \
		--run-time $(BENCH_WEB_TIME) --locust $(LOCUST_VENV)/bin/locust $(BENCH_ARGS)

# A small scale that CI could run in about two minutes, in a database of its own. 60 s of mix:
# a client needs about 45 s from link to send with 1-3 s of thought per statement.
bench-web-ci:
	$(MAKE) --no-print-directory bench-web BENCH_WEB_TRAJECTORIES=2000 BENCH_WEB_TIME=60 \
		BENCH_ARGS="--floor-time 10 $(BENCH_ARGS)" \
		BENCH_WEB_PG_URL=postgres://postgres@127.0.0.1:5432/alliantiemonitor_bench_web_ci

## bench-web-export: the study export a researcher asks for on the web (build_export), on about a
## million rounds loaded into BENCH_PG_URL (emptied!): time, peak memory, file sizes
WEB_EXPORT_TRAJECTORIES ?= 190000
bench-web-export: install-test
	bash scripts/ensure-postgres.sh
	DATABASE_URL=$(BENCH_PG_URL) $(PY) benchmarks/bench_web_export.py \
		--trajectories $(WEB_EXPORT_TRAJECTORIES) $(BENCH_ARGS)

## bench-research: a million generated rounds through Parquet: reliability, agreement, change and
## trajectory classes, next to pingouin loops with groupby-apply and a DuckDB scan (RESEARCH_ROUNDS)
RESEARCH_ROUNDS ?= 1000000
bench-research: install-test
	$(PY) benchmarks/bench_research.py --rounds $(RESEARCH_ROUNDS)

# A small scale (20,000 rounds) for CI: the same parts and the same comparison of results.
bench-research-ci:
	$(MAKE) --no-print-directory bench-research RESEARCH_ROUNDS=20000

## bench-password: time per password hash, Django's Argon2 defaults against the fitted parameters
bench-password: install-test
	$(PY) benchmarks/bench_password.py

## bench-signals: detect_signals over 250,000 synthetic trajectories (SIGNALS_N=20000 for a quick run)
SIGNALS_N ?= 250000
bench-signals: install-test
	$(PY) benchmarks/bench_signals.py --trajectories $(SIGNALS_N)

## signal-quality: detection quality of the signals on the held-out seed (docs/signals.md)
signal-quality: install-test
	$(PY) benchmarks/signal_quality.py

## bench-client-page: the client questionnaire page's first-load weight in Chromium (budget 25 KB, 5 requests)
bench-client-page: install-test
	$(PY) benchmarks/bench_client_page.py

## lighthouse: Lighthouse (mobile profile) on every client page; reports in var/lighthouse/,
## fails under accessibility 100 or performance 95 (Lighthouse has its own npm folder)
tools/lighthouse/node_modules/.installed: tools/lighthouse/package.json tools/lighthouse/package-lock.json
	cd tools/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	touch $@
lighthouse: install-test tools/lighthouse/node_modules/.installed
	$(PY) benchmarks/lighthouse_client_pages.py

## screenshots: phone-size screenshots of every client mode into docs/images/modes/
screenshots: install-test
	$(PY) scripts/screenshots.py

## messages: extract translatable strings into the Dutch catalogue (then translate, then compilemessages)
messages: install-test
	cd src/alliantiemonitor && ../../$(PY) ../../manage.py makemessages --locale nl --no-obsolete --no-location --ignore 'core/*'

## client-messages: bring the client-language catalogues (tr, ar, pl) in line with the client pages
client-messages: install-test
	$(PY) scripts/client_messages.py

compilemessages: install-test
	cd src/alliantiemonitor && ../../$(PY) ../../manage.py compilemessages

clean:
	rm -rf $(VENV) .tools node_modules var .pytest_cache .mypy_cache .ruff_cache
