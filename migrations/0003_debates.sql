-- Debates, argument prompts, and the points they award.
--
-- A debate is kept as rows enough to rebuild it after a restart: its phase plan with each
-- phase's time, the current phase with when it opened and its deadline, its rubric, its
-- evidence cards, seats, speeches with their citations as rows, flags, ballots with one row
-- per (speaker, criterion) score, and audience votes. Prompt answers wait in a queue with
-- their status; a review adds one mark per rubric line. Points from debates and prompts go
-- to `awards`, which every report adds to the points of quiz answers.
--
-- Portable, like 0001 and 0002: SQLite and PostgreSQL both run this file unchanged.

CREATE TABLE debates (
    guild_id        TEXT    NOT NULL REFERENCES guilds (id),
    debate_id       TEXT    NOT NULL,
    channel_id      TEXT    NOT NULL,
    -- The thread a face opened for the debate, once opened.
    thread_id       TEXT,
    format          TEXT    NOT NULL CHECK (format IN ('quick', 'oxford', 'controversy')),
    per_side        BIGINT  NOT NULL,
    -- The bank's motion, or NULL for one written on the spot (its text is kept either way).
    motion_id       TEXT,
    motion          TEXT    NOT NULL,
    info            TEXT    NOT NULL,
    -- Rubric scores run from 1 to this.
    scale_max       BIGINT  NOT NULL,
    -- Index into debate_phases of the current phase, when it opened, and when it closes
    -- (NULL: only the instructor closes it, or the debate is over).
    phase_index     BIGINT  NOT NULL DEFAULT 0,
    phase_opened_at BIGINT  NOT NULL,
    deadline        BIGINT,
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released', 'cancelled')),
    started_by      TEXT    NOT NULL,
    started_at      BIGINT  NOT NULL,
    ended_at        BIGINT,
    PRIMARY KEY (guild_id, debate_id)
);

-- One open debate per channel, a rule of the database.
CREATE UNIQUE INDEX debates_one_open_per_channel ON debates (guild_id, channel_id) WHERE status = 'open';
-- What a restarted bot reads to re-arm its phase timers.
CREATE INDEX debates_by_status ON debates (status, deadline);

-- The debate's phases in order, each with its time in seconds (NULL: no deadline).
CREATE TABLE debate_phases (
    guild_id  TEXT   NOT NULL,
    debate_id TEXT   NOT NULL,
    position  BIGINT NOT NULL,
    phase     TEXT   NOT NULL,
    seconds   BIGINT,
    PRIMARY KEY (guild_id, debate_id, position),
    FOREIGN KEY (guild_id, debate_id) REFERENCES debates (guild_id, debate_id)
);

-- The rubric the debate is judged on, criterion by criterion.
CREATE TABLE debate_criteria (
    guild_id  TEXT   NOT NULL,
    debate_id TEXT   NOT NULL,
    position  BIGINT NOT NULL,
    name      TEXT   NOT NULL,
    PRIMARY KEY (guild_id, debate_id, position),
    FOREIGN KEY (guild_id, debate_id) REFERENCES debates (guild_id, debate_id)
);

-- Each side's evidence cards (passage ids), fixed when the debate starts.
CREATE TABLE debate_cards (
    guild_id   TEXT   NOT NULL,
    debate_id  TEXT   NOT NULL,
    side       TEXT   NOT NULL CHECK (side IN ('proposition', 'opposition')),
    position   BIGINT NOT NULL,
    passage_id TEXT   NOT NULL,
    PRIMARY KEY (guild_id, debate_id, side, position),
    FOREIGN KEY (guild_id, debate_id) REFERENCES debates (guild_id, debate_id)
);

-- Who is in the debate: a speaker of a side (with their place in the team) or the audience.
CREATE TABLE debate_seats (
    guild_id  TEXT   NOT NULL,
    debate_id TEXT   NOT NULL,
    user_id   TEXT   NOT NULL,
    role      TEXT   NOT NULL CHECK (role IN ('proposition', 'opposition', 'audience')),
    position  BIGINT NOT NULL,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, debate_id, user_id),
    FOREIGN KEY (guild_id, debate_id) REFERENCES debates (guild_id, debate_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES users (guild_id, user_id)
);

CREATE UNIQUE INDEX debate_seats_one_per_place ON debate_seats (guild_id, debate_id, role, position) WHERE role <> 'audience';

-- Speeches: one per slot of a speech phase. The slot is the speaker's user id, or 'joint'
-- for a controversy's joint statement (written by `author_id`).
CREATE TABLE debate_speeches (
    guild_id     TEXT   NOT NULL,
    debate_id    TEXT   NOT NULL,
    phase_index  BIGINT NOT NULL,
    slot         TEXT   NOT NULL,
    author_id    TEXT   NOT NULL,
    argues       TEXT   CHECK (argues IN ('proposition', 'opposition')),
    claim        TEXT   NOT NULL,
    reasoning    TEXT   NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, debate_id, phase_index, slot),
    FOREIGN KEY (guild_id, debate_id) REFERENCES debates (guild_id, debate_id),
    FOREIGN KEY (guild_id, author_id) REFERENCES users (guild_id, user_id)
);

-- The passages a speech cites, in order; in_bank = 0 marks an id the bank did not have.
CREATE TABLE debate_citations (
    guild_id    TEXT    NOT NULL,
    debate_id   TEXT    NOT NULL,
    phase_index BIGINT  NOT NULL,
    slot        TEXT    NOT NULL,
    position    BIGINT  NOT NULL,
    passage_id  TEXT    NOT NULL,
    in_bank     INTEGER NOT NULL CHECK (in_bank IN (0, 1)),
    PRIMARY KEY (guild_id, debate_id, phase_index, slot, position),
    FOREIGN KEY (guild_id, debate_id, phase_index, slot) REFERENCES debate_speeches (guild_id, debate_id, phase_index, slot)
);

-- An opponent's flag on a card a speech cites.
CREATE TABLE debate_flags (
    guild_id    TEXT   NOT NULL,
    debate_id   TEXT   NOT NULL,
    phase_index BIGINT NOT NULL,
    slot        TEXT   NOT NULL,
    passage_id  TEXT   NOT NULL,
    flagged_by  TEXT   NOT NULL,
    reason      TEXT   NOT NULL,
    flagged_at  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, debate_id, phase_index, slot, passage_id, flagged_by),
    FOREIGN KEY (guild_id, debate_id, phase_index, slot) REFERENCES debate_speeches (guild_id, debate_id, phase_index, slot)
);

-- Ballots: the instructor's (official = 1, at most one per debate) and students' shadow ballots.
CREATE TABLE debate_ballots (
    guild_id     TEXT    NOT NULL,
    debate_id    TEXT    NOT NULL,
    judge_id     TEXT    NOT NULL,
    official     INTEGER NOT NULL CHECK (official IN (0, 1)),
    winner       TEXT    CHECK (winner IN ('proposition', 'opposition')),
    feedback     TEXT    NOT NULL,
    submitted_at BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, debate_id, judge_id),
    FOREIGN KEY (guild_id, debate_id) REFERENCES debates (guild_id, debate_id)
);

CREATE UNIQUE INDEX debate_ballots_one_official ON debate_ballots (guild_id, debate_id) WHERE official = 1;

-- One row per score: a judge's mark for one speaker on one criterion (its position in the rubric).
CREATE TABLE debate_scores (
    guild_id   TEXT   NOT NULL,
    debate_id  TEXT   NOT NULL,
    judge_id   TEXT   NOT NULL,
    speaker_id TEXT   NOT NULL,
    criterion  BIGINT NOT NULL,
    score      BIGINT NOT NULL,
    PRIMARY KEY (guild_id, debate_id, judge_id, speaker_id, criterion),
    FOREIGN KEY (guild_id, debate_id, judge_id) REFERENCES debate_ballots (guild_id, debate_id, judge_id)
);

-- Oxford audience votes: one per member per poll; a second vote replaces the first.
CREATE TABLE debate_votes (
    guild_id  TEXT   NOT NULL,
    debate_id TEXT   NOT NULL,
    poll      TEXT   NOT NULL CHECK (poll IN ('before', 'after')),
    user_id   TEXT   NOT NULL,
    stance    TEXT   NOT NULL CHECK (stance IN ('proposition', 'opposition', 'undecided')),
    voted_at  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, debate_id, poll, user_id),
    FOREIGN KEY (guild_id, debate_id) REFERENCES debates (guild_id, debate_id)
);

-- Answers to argument prompts, waiting for review, then reviewed with a score and feedback.
-- A student answers each prompt once.
CREATE TABLE prompt_answers (
    guild_id     TEXT   NOT NULL,
    answer_id    TEXT   NOT NULL,
    user_id      TEXT   NOT NULL,
    prompt_id    TEXT   NOT NULL,
    body         TEXT   NOT NULL,
    status       TEXT   NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'reviewed')),
    submitted_at BIGINT NOT NULL,
    -- Filled in by the review: the marks' sum, the most they could be, the points awarded.
    score        BIGINT,
    max_score    BIGINT,
    points       BIGINT,
    feedback     TEXT,
    reviewed_by  TEXT,
    reviewed_at  BIGINT,
    -- When a face delivered the feedback to the student (NULL: not yet).
    delivered_at BIGINT,
    PRIMARY KEY (guild_id, answer_id),
    UNIQUE (guild_id, user_id, prompt_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES users (guild_id, user_id)
);

CREATE INDEX prompt_answers_queue ON prompt_answers (guild_id, status, submitted_at);

-- The passages an answer cites, in order; in_bank = 0 marks an id the bank did not have.
CREATE TABLE prompt_citations (
    guild_id   TEXT    NOT NULL,
    answer_id  TEXT    NOT NULL,
    position   BIGINT  NOT NULL,
    passage_id TEXT    NOT NULL,
    in_bank    INTEGER NOT NULL CHECK (in_bank IN (0, 1)),
    PRIMARY KEY (guild_id, answer_id, position),
    FOREIGN KEY (guild_id, answer_id) REFERENCES prompt_answers (guild_id, answer_id)
);

-- A review's mark for each line of the prompt's rubric (the line's text is kept, so a later
-- edit of the bank does not change what was marked).
CREATE TABLE prompt_marks (
    guild_id  TEXT   NOT NULL,
    answer_id TEXT   NOT NULL,
    line      BIGINT NOT NULL,
    criterion TEXT   NOT NULL,
    mark      BIGINT NOT NULL,
    PRIMARY KEY (guild_id, answer_id, line),
    FOREIGN KEY (guild_id, answer_id) REFERENCES prompt_answers (guild_id, answer_id)
);

-- Points earned outside quiz answers: one row per member per source ('debate:ID',
-- 'prompt:ID'), written in the same transaction as the release or the review. Totals,
-- leaderboards and the gradebook add these to the points of answers.
CREATE TABLE awards (
    guild_id   TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    source     TEXT   NOT NULL,
    kind       TEXT   NOT NULL CHECK (kind IN ('debate', 'prompt')),
    points     BIGINT NOT NULL,
    awarded_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, source, user_id),
    FOREIGN KEY (guild_id, user_id) REFERENCES users (guild_id, user_id)
);

CREATE INDEX awards_by_user ON awards (guild_id, user_id);
