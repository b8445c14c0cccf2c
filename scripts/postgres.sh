#!/usr/bin/env bash
# Start the machine's PostgreSQL on 127.0.0.1:5432 with a role and database `app`
# (password `app`, allowed to create the test database). Idempotent. Needs root.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
pg_ctlcluster "$version" main status >/dev/null 2>&1 || pg_ctlcluster "$version" main start
for _ in $(seq 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1 -p 5432" && break
  sleep 1
done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='app'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"create role app login password 'app' createdb\""
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='app'\"" | grep -q 1 ||
  su postgres -c "createdb -O app app"
echo "PostgreSQL $version is up: postgres://app:app@127.0.0.1:5432/app"
