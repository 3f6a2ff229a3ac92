#!/usr/bin/env bash
# Make sure the local PostgreSQL server answers before the PostgreSQL half of the test suite.
set -euo pipefail
host=${PGHOST_CHECK:-127.0.0.1}
if pg_isready -q -h "$host" -p 5432 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is not answering on $host:5432; starting the local cluster." >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h "$host" -p 5432 && exit 0
    sleep 1
  done
fi
echo "PostgreSQL is not reachable on $host:5432. Start it, or set PG_TEST_URL to another server." >&2
exit 1
