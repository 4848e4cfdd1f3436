-- Spaced practice: each student's memory of each item, scheduled by FSRS (src/memory.rs),
-- and the daily reminder of reviews due.
--
-- Portable, like 0001-0004: SQLite and PostgreSQL both run this file unchanged.

-- One row per (guild, student, item) answered at least once: updated in the transaction
-- that stores each graded answer (store/writer.rs), so it is always the replay of the
-- student's answers in the order given.
CREATE TABLE memories (
    guild_id    TEXT             NOT NULL,
    user_id     TEXT             NOT NULL,
    item_id     TEXT             NOT NULL,
    -- Days until recall falls to 90 %.
    stability   DOUBLE PRECISION NOT NULL,
    -- How hard the item is for this student, 1 to 10.
    difficulty  DOUBLE PRECISION NOT NULL,
    -- When the next review is due, and when the last one was (Unix ms).
    due         BIGINT           NOT NULL,
    last_review BIGINT           NOT NULL,
    reviews     BIGINT           NOT NULL,
    lapses      BIGINT           NOT NULL,
    PRIMARY KEY (guild_id, user_id, item_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES users (guild_id, user_id)
);

CREATE INDEX memories_by_due ON memories (guild_id, due);

-- Whether the answers stored before this migration have been replayed into `memories`: the
-- store does it once, at the first open after the upgrade, and sets `done` in the same
-- transaction (store/memory.rs).
CREATE TABLE memory_replay (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    done INTEGER NOT NULL CHECK (done IN (0, 1))
);

INSERT INTO memory_replay (id, done) VALUES (1, 0);

-- The last day (days since the epoch, UTC) each server's reminder went out: claimed by one
-- conditional upsert, so at most one reminder a day whatever restarts or processes.
CREATE TABLE reminders_sent (
    guild_id TEXT   NOT NULL PRIMARY KEY REFERENCES guilds (id),
    day      BIGINT NOT NULL
);
