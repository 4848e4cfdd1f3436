-- Issue 25: every index of a table is one more B-tree whose page an answer's commit writes
-- to disk (SQLite appends each changed page to its WAL: 4 KiB each). These two served no
-- query: no statement looks answers up by item alone (the item reports read a whole server's
-- answers, which the primary key's prefix finds), and the daily reminder's look for servers
-- with reviews due reads every memory either way. An answer now changes five B-trees, not
-- seven.
--
-- Portable, like the others: SQLite and PostgreSQL both run this file unchanged.

DROP INDEX answers_by_item;
DROP INDEX memories_by_due;
