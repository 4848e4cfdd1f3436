-- Prompts handed to students (issue 24): `/prompt` gives each student one they have not had
-- yet, and two students in one channel different ones. One row per student and prompt, the
-- latest draw; `channel_id` is '' for a draw made outside a channel.
--
-- Portable, like the others: SQLite and PostgreSQL both run this file unchanged.

CREATE TABLE prompt_draws (
    guild_id   TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    prompt_id  TEXT   NOT NULL,
    channel_id TEXT   NOT NULL,
    drawn_at   BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id, prompt_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES users (guild_id, user_id)
);

CREATE INDEX prompt_draws_channel ON prompt_draws (guild_id, channel_id, drawn_at);
