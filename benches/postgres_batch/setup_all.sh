#!/bin/bash
# The five scratch databases of the study (same data; one schema or locale change each).
set -e
cd "$(dirname "$0")"
Q() { psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1 -d "$@"; }
./setup.sh pgcost
./setup.sh pgcost_nofk
Q pgcost_nofk -c "ALTER TABLE answers DROP CONSTRAINT answers_guild_id_round_id_fkey, DROP CONSTRAINT answers_guild_id_user_id_fkey"
./setup.sh pgcost_nofk2
Q pgcost_nofk2 -c "ALTER TABLE answers DROP CONSTRAINT answers_guild_id_round_id_fkey, DROP CONSTRAINT answers_guild_id_user_id_fkey; ALTER TABLE memories DROP CONSTRAINT memories_guild_id_user_id_fkey"
./setup.sh pgcost_noidx
Q pgcost_noidx -c "DROP INDEX answers_by_user"
./setup.sh pgcost_c --locale=C -T template0
