-- Agora's durable state: guilds, their students, quiz rounds and every answer.
--
-- Portable on purpose: SQLite and PostgreSQL both run this file unchanged.
--   * TEXT for ids (Discord snowflakes do not fit every integer type; the terminal uses 'local'),
--   * BIGINT for counts and Unix times in milliseconds, INTEGER 0/1 for booleans,
--     DOUBLE PRECISION for reals,
--   * no AUTOINCREMENT / SERIAL: the application generates every id,
--   * composite primary keys, so every row belongs to exactly one guild.

CREATE TABLE guilds (
    id       TEXT NOT NULL PRIMARY KEY,
    -- The guild's settings as a JSON object, owned by the config layer.
    settings TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE users (
    guild_id     TEXT NOT NULL REFERENCES guilds (id),
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE rounds (
    guild_id      TEXT    NOT NULL REFERENCES guilds (id),
    round_id      TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('live', 'practice')),
    channel_id    TEXT,
    started_by    TEXT    NOT NULL,
    -- JSON array of item ids, in the order they are asked.
    item_ids      TEXT    NOT NULL,
    -- Index into item_ids of the item being asked (or last asked).
    current_index BIGINT  NOT NULL DEFAULT 0,
    -- When the current item opened (Unix ms); NULL while it has not opened yet.
    opened_at     BIGINT,
    revealed      INTEGER NOT NULL DEFAULT 0 CHECK (revealed IN (0, 1)),
    open_seconds  BIGINT  NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished', 'abandoned')),
    started_at    BIGINT  NOT NULL,
    ended_at      BIGINT,
    PRIMARY KEY (guild_id, round_id)
);

CREATE INDEX rounds_by_status ON rounds (status);

CREATE TABLE answers (
    guild_id    TEXT             NOT NULL,
    round_id    TEXT             NOT NULL,
    item_id     TEXT             NOT NULL,
    user_id     TEXT             NOT NULL,
    -- What the student answered, as text (a choice index, "true", a number, ...).
    response    TEXT             NOT NULL,
    correct     INTEGER          NOT NULL CHECK (correct IN (0, 1)),
    credit      DOUBLE PRECISION NOT NULL,
    points      BIGINT           NOT NULL,
    elapsed_ms  BIGINT           NOT NULL,
    answered_at BIGINT           NOT NULL,
    -- One answer per student per item per round: a double click or a replayed
    -- interaction hits this key and counts once.
    PRIMARY KEY (guild_id, round_id, item_id, user_id),
    FOREIGN KEY (guild_id, round_id) REFERENCES rounds (guild_id, round_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES users (guild_id, user_id)
);

CREATE INDEX answers_by_user ON answers (guild_id, user_id, answered_at);
CREATE INDEX answers_by_item ON answers (guild_id, item_id);
