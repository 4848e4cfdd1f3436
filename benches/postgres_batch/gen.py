#!/usr/bin/env python3
"""Writes a pgbench script for one batch transaction of the bot's insert_batch.
gen.py B USERS MEMREAD GUARD > script.sql
  B: answers per batch; USERS: 1 = users upsert of every student in the batch, 0 = none;
  MEMREAD: returning (six scalar subqueries in RETURNING: tried, then reverted) | select (key-only RETURNING,
           then a SELECT ... WHERE (g,u,i) IN (VALUES ...), as writer.rs does) | none (key-only RETURNING);
  GUARD: exists (as in writer.rs) | none (no round guard at all, for its price) |
         exists-plain (guard, but a plain INSERT: no ON CONFLICT DO NOTHING)
Variables: n (batch counter, -D n=0), last (-D last=T-1), p (question position, -D p=..)."""
import sys
import os
SNAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "snap.sh")
B, USERS, MEMREAD, GUARD = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
o = []
o.append(r"""\if :n = 0
SELECT pg_backend_pid() AS pid \gset
\shell {SNAP} :pid start
\endif
\set k :n * %d
\set i 5000000 + :p""" % B)
for j in range(B):
    o.append(rf"""\set c{j} (:k + {j}) % 24000
\set g{j} 900000000000000000 + :c{j} / 500
\set r{j} 700000000000000000 + :c{j} / 500
\set u{j} 100000000000000000 + :c{j}
\set t{j} 1765000000000 + :p * 60000 + :c{j}""")
o.append("BEGIN;")
if USERS:
    vals = ", ".join(f"(:g{j}::text, :u{j}::text, 'student ' || :c{j}::text)" for j in range(B))
    # same display name as stored: the common case (no change), as the bot sends after a restart
    o.append(f"""INSERT INTO users (guild_id, user_id, display_name) VALUES {vals}
 ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name
 WHERE users.display_name <> excluded.display_name;""")
vals = ", ".join(f"(:g{j}::text, :r{j}::text, :i::text, :u{j}::text, :resp::text, :corr::int4, :credit::float8, :pts::int8, :el::int8, :t{j}::int8)" for j in range(B))
ret = "guild_id, round_id, item_id, user_id"
if MEMREAD == "returning":
    ret += ",\n " + ",\n ".join(
        f"(SELECT m.{c} FROM memories m WHERE m.guild_id = answers.guild_id AND m.user_id = answers.user_id AND m.item_id = answers.item_id)"
        for c in ["stability", "difficulty", "due", "last_review", "reviews", "lapses"])
guard = """
 WHERE EXISTS (
    SELECT 1 FROM rounds r
    JOIN round_questions q
      ON q.guild_id = r.guild_id AND q.round_id = r.round_id AND q.position = r.current_index
    WHERE r.guild_id = v.column1 AND r.round_id = v.column2 AND r.status = 'open' AND q.item_id = v.column3
      AND r.opened_at IS NOT NULL AND r.revealed = 0
      AND (r.deadline IS NULL OR v.column10 < r.deadline))""" if GUARD.startswith("exists") else ""
o.append(f"""INSERT INTO answers
    (guild_id, round_id, item_id, user_id, response, correct, credit, points, elapsed_ms, answered_at)
 SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, v.column10
 FROM (VALUES {vals}) AS v{guard}
 {"" if GUARD.endswith("plain") else "ON CONFLICT (guild_id, round_id, item_id, user_id) DO NOTHING"}
 RETURNING {ret};""")
if MEMREAD == "select":
    vals = ", ".join(f"(:g{j}::text, :u{j}::text, :i::text)" for j in range(B))
    o.append(f"SELECT guild_id, user_id, item_id, stability, difficulty, due, last_review, reviews, lapses FROM memories WHERE (guild_id, user_id, item_id) IN (VALUES {vals});")
vals = ", ".join(f"(:g{j}::text, :u{j}::text, :i::text, :stab::float8, :diff::float8, :due::int8, :t{j}::int8, :one::int8, :zero::int8)" for j in range(B))
o.append(f"""INSERT INTO memories (guild_id, user_id, item_id, stability, difficulty, due, last_review, reviews, lapses) VALUES {vals}
 ON CONFLICT (guild_id, user_id, item_id) DO UPDATE SET stability = excluded.stability,
   difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,
   reviews = excluded.reviews, lapses = excluded.lapses;""")
o.append("COMMIT;")
o.append(r"""\if :n = :last
\shell {SNAP} :pid end
\endif
\set n :n + 1""")
print("\n".join(o).replace("{SNAP}", SNAP))
