#!/usr/bin/env bash
# Starts a local PostgreSQL server for the SalesFlow PostgreSQL tests and exports SALESFLOW_POSTGRES.
# Idempotent; run as root (CI) on Debian/Ubuntu. Use it either way:
#   source .ci/postgres.sh          # exports SALESFLOW_POSTGRES into the current shell
#   eval "$(bash .ci/postgres.sh)"  # prints the export line
# Overridable: SALESFLOW_PG_USER, SALESFLOW_PG_PASSWORD, SALESFLOW_PG_DATABASE, SALESFLOW_PG_PORT.

_salesflow_pg_main() {
  set -euo pipefail
  local user="${SALESFLOW_PG_USER:-salesflow}"
  local password="${SALESFLOW_PG_PASSWORD:-salesflow}"
  local database="${SALESFLOW_PG_DATABASE:-salesflow_tests}"

  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "postgres.sh: installing PostgreSQL from the distribution's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
  fi

  local version
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  local bin="/usr/lib/postgresql/${version}/bin"

  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    echo "postgres.sh: creating cluster ${version}/main" >&2
    pg_createcluster "$version" main >&2
  fi

  local port="${SALESFLOW_PG_PORT:-$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')}"
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    echo "postgres.sh: starting cluster ${version}/main on port ${port}" >&2
    pg_ctlcluster "$version" main start >&2
  fi

  local i
  for i in $(seq 1 60); do
    if "${bin}/pg_isready" -q -h localhost -p "$port"; then break; fi
    sleep 1
  done
  "${bin}/pg_isready" -h localhost -p "$port" >&2

  # Role and database, created once; the password is (re)set every run so the connection string always works.
  su postgres -c "psql -v ON_ERROR_STOP=1 -q -p ${port}" >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN
    CREATE ROLE "${user}" LOGIN;
  END IF;
END
\$\$;
ALTER ROLE "${user}" WITH LOGIN PASSWORD '${password}';
SQL
  if ! su postgres -c "psql -p ${port} -tAc \"SELECT 1 FROM pg_database WHERE datname = '${database}'\"" | grep -q 1; then
    su postgres -c "createdb -p ${port} -O '${user}' '${database}'" >&2
  fi

  SALESFLOW_POSTGRES="Host=localhost;Port=${port};Username=${user};Password=${password};Database=${database}"
}

if (return 0 2>/dev/null); then
  # Sourced: do the work in a child bash (so `set -e` cannot leak into the caller), then export its result.
  _salesflow_pg_export="$(bash "${BASH_SOURCE[0]}")" || return 1
  eval "$_salesflow_pg_export"
  unset _salesflow_pg_export
  echo "postgres.sh: SALESFLOW_POSTGRES exported" >&2
else
  _salesflow_pg_main
  printf 'export SALESFLOW_POSTGRES=%q\n' "$SALESFLOW_POSTGRES"
fi
