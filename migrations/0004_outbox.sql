-- The outbox: what must reach a channel (a live question and, once the timer closes it, its
-- reveal; a debate speech), written in the same transaction as the change that calls for it.
-- A poster in the Discord face delivers each row, retrying with backoff, until Discord
-- accepts it or a final failure is recorded (and told in the channel). A row is the message
-- its subject should show now: `version` counts the changes that call for it to be
-- (re)delivered, `delivered` is the version Discord last accepted, so a row is pending while
-- delivered < version and no final failure is recorded.
--
-- Portable, like 0001-0003: SQLite and PostgreSQL both run this file unchanged.
CREATE TABLE outbox (
    guild_id      TEXT   NOT NULL,
    -- 'question' (a live round's question message: subject = round id, number = question
    -- number from 1, part = '') or 'speech' (subject = debate id, number = phase index,
    -- part = the speaker's slot).
    kind          TEXT   NOT NULL CHECK (kind IN ('question', 'speech')),
    subject       TEXT   NOT NULL,
    number        BIGINT NOT NULL,
    part          TEXT   NOT NULL DEFAULT '',
    channel_id    TEXT   NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    delivered     BIGINT NOT NULL DEFAULT 0,
    -- The Discord message once posted; later versions edit it. A message in several parts
    -- (a long speech) lists the parts posted so far, comma-separated.
    message_id    TEXT,
    -- Failed tries since the last success, and when the next may start (Unix ms).
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       BIGINT NOT NULL,
    -- A poster's claim: nobody else tries it before this (Unix ms).
    claimed_until BIGINT NOT NULL DEFAULT 0,
    -- The final failure, in words, once the poster gave up.
    failed        TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (guild_id, kind, subject, number, part)
);

CREATE INDEX outbox_pending ON outbox (next_at) WHERE delivered < version AND failed IS NULL;
