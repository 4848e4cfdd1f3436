-- The instructor's page (issue 23): the key that signs its links, generated once when the
-- operator configures none, and each server's generation of links, which a revocation
-- bumps so that every link signed before it stops working.
--
-- Portable, like the others: SQLite and PostgreSQL both run this file unchanged.

CREATE TABLE web_keys (
    name   TEXT NOT NULL PRIMARY KEY,
    -- Hex of 32 random bytes.
    secret TEXT NOT NULL
);

CREATE TABLE dashboard_links (
    guild_id   TEXT   NOT NULL PRIMARY KEY REFERENCES guilds (id),
    generation BIGINT NOT NULL
);
