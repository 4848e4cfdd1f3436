-- Each debate's current board (issue 20, item 14): the message a face posted for the phase
-- at `board_phase`, so that it can be edited in place as people join and vote, its buttons
-- disabled when the next phase's board replaces it (after a restart too), and a click on an
-- older board told which board to use.
--
-- Portable, like the others: SQLite and PostgreSQL both run this file unchanged.

ALTER TABLE debates ADD COLUMN board_message_id TEXT;
ALTER TABLE debates ADD COLUMN board_phase BIGINT;
