-- Rounds that survive a restart: each round keeps its seed (so choices come back in the
-- order they were shown), its questions as rows, the current question's deadline and the
-- messages a face posted for it. One open practice per student and one live round per
-- channel are rules of the database, not of a read followed by a write.
--
-- Portable, like 0001: SQLite and PostgreSQL both run this file unchanged.

-- The seed of the round's presentation (a u64 stored as its two's-complement BIGINT).
ALTER TABLE rounds ADD COLUMN seed BIGINT NOT NULL DEFAULT 0;
-- When the current question stops taking answers (Unix ms); NULL when it has no deadline
-- (practice) or has not opened.
ALTER TABLE rounds ADD COLUMN deadline BIGINT;
-- Whether fast answers earn the speed bonus in this round (live rounds only).
ALTER TABLE rounds ADD COLUMN speed_bonus INTEGER NOT NULL DEFAULT 1 CHECK (speed_bonus IN (0, 1));

-- A round's questions, in the order they are asked. `rounds.item_ids` is kept only for
-- rounds written before this migration; the store copies those into this table once.
CREATE TABLE round_questions (
    guild_id   TEXT   NOT NULL,
    round_id   TEXT   NOT NULL,
    position   BIGINT NOT NULL,
    item_id    TEXT   NOT NULL,
    -- The message a face posted for this question (a Discord message id), once posted.
    message_id TEXT,
    PRIMARY KEY (guild_id, round_id, position),
    UNIQUE (guild_id, round_id, item_id),
    FOREIGN KEY (guild_id, round_id) REFERENCES rounds (guild_id, round_id)
);

-- Rounds left open by an older version kept no seed and cannot be resumed as they were
-- shown: close them. Their answers still count.
UPDATE rounds SET status = 'abandoned', ended_at = started_at WHERE status = 'open';

CREATE UNIQUE INDEX rounds_one_open_practice
    ON rounds (guild_id, started_by) WHERE kind = 'practice' AND status = 'open';
CREATE UNIQUE INDEX rounds_one_live_round_per_channel
    ON rounds (guild_id, channel_id) WHERE kind = 'live' AND status = 'open';
