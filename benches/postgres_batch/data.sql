-- 48 guilds, one live open round each, 300 questions per round, 500 students per guild,
-- 20 questions of history (480k answers, 480k memories). Runs start at position 20.
INSERT INTO guilds (id) SELECT (900000000000000000 + r)::text FROM generate_series(0,47) r;
INSERT INTO users SELECT (900000000000000000 + k/500)::text, (100000000000000000 + k)::text, 'student ' || k
  FROM generate_series(0, 23999) k;
INSERT INTO rounds (guild_id, round_id, kind, channel_id, started_by, item_ids, current_index, opened_at,
                    revealed, open_seconds, status, started_at, seed, deadline, speed_bonus)
  SELECT (900000000000000000 + r)::text, (700000000000000000 + r)::text, 'live', (800000000000000000 + r)::text,
         '123456789012345678', '[]', 20, 1765000000000, 0, 30, 'open', 1765000000000, 42, 9000000000000000, 1
  FROM generate_series(0,47) r;
INSERT INTO round_questions (guild_id, round_id, position, item_id)
  SELECT (900000000000000000 + r)::text, (700000000000000000 + r)::text, p, (5000000 + p)::text
  FROM generate_series(0,47) r, generate_series(0,299) p;
INSERT INTO answers SELECT (900000000000000000 + k/500)::text, (700000000000000000 + k/500)::text, (5000000 + p)::text,
    (100000000000000000 + k)::text, '2', 1, 1.0, 900, 1234, 1765000000000 + p*60000 + k
  FROM generate_series(0,19) p, generate_series(0,23999) k;
INSERT INTO memories SELECT (900000000000000000 + k/500)::text, (100000000000000000 + k)::text, (5000000 + p)::text,
    2.5, 5.0, 1766000000000, 1765000000000 + p*60000, 1, 0
  FROM generate_series(0,19) p, generate_series(0,23999) k;
VACUUM ANALYZE;
-- Keep autovacuum out of the measurements (it wrote WAL in the middle of runs).
ALTER TABLE answers SET (autovacuum_enabled = off);
ALTER TABLE memories SET (autovacuum_enabled = off);
ALTER TABLE users SET (autovacuum_enabled = off);
ALTER TABLE rounds SET (autovacuum_enabled = off);
