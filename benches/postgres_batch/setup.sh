#!/bin/bash
# Usage: ./setup.sh DBNAME [createdb options, e.g. --locale=C -T template0]
# Creates DBNAME, applies ../../migrations 0001..0009, loads the bench data shape.
set -euo pipefail
DB=$1; shift || true
P="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
createdb -h 127.0.0.1 -U postgres "$@" "$DB"
for f in "$(dirname "$0")"/../../migrations/000*.sql; do $P -d "$DB" -f "$f"; done
$P -d "$DB" -f "$(dirname "$0")/data.sql"
