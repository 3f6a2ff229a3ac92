#!/bin/sh
# Run once by the postgres image when it creates the cluster (/docker-entrypoint-initdb.d/).
# The tables belong to alliantiemonitor_owner, which runs the migrations; the app and the worker
# connect as alliantiemonitor, which may read and write rows but owns nothing, so it cannot
# switch off the audit log's append-only trigger (docs/audit.md). Default privileges give it the
# same rights on every table and sequence a later migration creates.
set -eu
# The app's password, taken from its database URL (use letters and digits only in it).
app_password=$(sed -E 's|^[a-z]+://[^:]+:([^@]+)@.*$|\1|' /run/secrets/database_url)
psql --set=ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     --set=app_password="$app_password" <<'SQL'
CREATE ROLE alliantiemonitor LOGIN PASSWORD :'app_password';
GRANT CONNECT ON DATABASE alliantiemonitor TO alliantiemonitor;
GRANT USAGE ON SCHEMA public TO alliantiemonitor;
ALTER DEFAULT PRIVILEGES FOR ROLE alliantiemonitor_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO alliantiemonitor;
ALTER DEFAULT PRIVILEGES FOR ROLE alliantiemonitor_owner IN SCHEMA public
    GRANT USAGE ON SEQUENCES TO alliantiemonitor;
SQL
