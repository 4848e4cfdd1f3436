#!/usr/bin/env python3
"""Disk bytes per lone answer: a model of Agora's SQLite answer path (issue 25).

A fresh SQLite file under /tmp (ext4), set up as src/store/mod.rs sets it up (page_size 1024
for a new file, WAL, synchronous NORMAL, wal_autocheckpoint 0, foreign keys on), the schema
of migrations/0001..0009 run in order, one guild, the bench's warm-up and burst rounds
(300 + 500 answers), 48 live rounds (classes of up to 500, 11 questions each, as
benches/discord.rs `open_classes` makes them), then N answers each committed alone exactly as
src/store/writer.rs `insert_one` does (BEGIN; the student's users upsert when this process
has not written the row yet; INSERT_ANSWER with its EXISTS guard; memory.rs `apply_reviews`:
one SELECT of the memory row, one INSERT .. ON CONFLICT DO UPDATE; COMMIT), with a PASSIVE
checkpoint from a second connection every C answers (every 1 s at 1,000 answers/s).

Measures write_bytes of /proc/self/io (4 KiB page-cache pages first dirtied) over the
answers, split into the commits' share and the checkpoints' share, and the WAL frames each
commit appended (mxFrame of the wal-index header in the -shm file), mapped to the B-trees
they belong to (dbstat).

    python3 model.py                       # the baseline
    python3 model.py --drop-by-user --without-rowid answers,memories --json
    python3 model.py --help
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import sqlite3
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MIGRATIONS = os.path.join(HERE, "..", "..", "migrations")

INSERT_ANSWER = """INSERT INTO answers
    (guild_id, round_id, item_id, user_id, response, correct, credit, points, elapsed_ms, answered_at)
    SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
    WHERE EXISTS (
        SELECT 1 FROM rounds r
        JOIN round_questions q
          ON q.guild_id = r.guild_id AND q.round_id = r.round_id AND q.position = r.current_index
        WHERE r.guild_id = ?1 AND r.round_id = ?2 AND r.status = 'open' AND q.item_id = ?3
          AND r.opened_at IS NOT NULL AND r.revealed = 0
          AND (r.deadline IS NULL OR ?10 < r.deadline))
    ON CONFLICT (guild_id, round_id, item_id, user_id) DO NOTHING"""

ANSWER_EXISTS = """SELECT COUNT(*) FROM answers
    WHERE guild_id = ?1 AND round_id = ?2 AND item_id = ?3 AND user_id = ?4"""

UPSERT_USER = """INSERT INTO users (guild_id, user_id, display_name) VALUES (?1, ?2, ?3)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name"""

MEMORY_COLUMNS = "stability, difficulty, due, last_review, reviews, lapses"
READ_MEMORY = f"SELECT guild_id, user_id, item_id, {MEMORY_COLUMNS} FROM memories WHERE (guild_id, user_id, item_id) IN (VALUES (?1, ?2, ?3))"
UPSERT_MEMORY = f"""INSERT INTO memories (guild_id, user_id, item_id, {MEMORY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (guild_id, user_id, item_id) DO UPDATE SET stability = excluded.stability,
           difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,
           reviews = excluded.reviews, lapses = excluded.lapses"""
UPDATE_MEMORY = """UPDATE memories SET stability = ?4, difficulty = ?5, due = ?6, last_review = ?7, reviews = ?8, lapses = ?9
         WHERE guild_id = ?1 AND user_id = ?2 AND item_id = ?3"""
INSERT_MEMORY = f"INSERT INTO memories (guild_id, user_id, item_id, {MEMORY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"

DISCORD_EPOCH_MS = 1_420_070_400_000


def write_bytes():
    with open("/proc/self/io") as f:
        for line in f:
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    raise RuntimeError("no write_bytes in /proc/self/io")


# ------------------------------------------------------------------ schema and its variants

def table_block(sql, table):
    """(start, end) of `CREATE TABLE table (...);` in sql, end at the closing ')'."""
    m = re.search(r"CREATE TABLE %s \(" % re.escape(table), sql)
    if not m:
        return None
    depth, i = 0, m.end() - 1
    while True:
        c = sql[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return m.start(), i + 1
        i += 1


def schema(opts):
    out = []
    for name in sorted(os.listdir(MIGRATIONS)):
        if not name.endswith(".sql"):
            continue
        sql = open(os.path.join(MIGRATIONS, name)).read()
        for table in opts.without_rowid:
            span = table_block(sql, table)
            if span:
                sql = sql[: span[1]] + " WITHOUT ROWID" + sql[span[1]:]
        if opts.answers_pk:
            span = table_block(sql, "answers")
            if span:
                block = sql[span[0]: span[1]].replace("PRIMARY KEY (guild_id, round_id, item_id, user_id)", "PRIMARY KEY (%s)" % opts.answers_pk)
                sql = sql[: span[0]] + block + sql[span[1]:]
        if opts.memories_pk:
            span = table_block(sql, "memories")
            if span:
                block = sql[span[0]: span[1]].replace("PRIMARY KEY (guild_id, user_id, item_id)", "PRIMARY KEY (%s)" % opts.memories_pk)
                sql = sql[: span[0]] + block + sql[span[1]:]
        if opts.int_ids:
            # Snowflakes as BIGINT (they fit: < 2^63) in the three hot tables.
            for table in ("users", "answers", "memories", "rounds", "round_questions"):
                span = table_block(sql, table)
                if span:
                    block = sql[span[0]: span[1]]
                    block = re.sub(r"\b(guild_id|user_id)(\s+)TEXT\b", r"\1\2BIGINT", block)
                    sql = sql[: span[0]] + block + sql[span[1]:]
        out.append((name, sql))
    extra = []
    if opts.drop_by_user:
        extra.append("DROP INDEX answers_by_user;")
    if opts.memories_by_item:
        extra.append("CREATE INDEX memories_by_item ON memories (guild_id, item_id);")
    if extra:
        out.append(("variant", "\n".join(extra)))
    return out


# ------------------------------------------------------------------ ids as the bot makes them

class Ids:
    def __init__(self, rng, opts):
        self.rng = rng
        self.opts = opts
        # The stand-in's snowflakes: after 2024-01-01, counting up (tests/support/discord.rs).
        self.next = (1_704_067_200_000 - DISCORD_EPOCH_MS) << 22
        self.items = [l.strip() for l in open(os.path.join(HERE, "item_ids.txt")) if l.strip()]
        self.snowflake_users = {}

    def snowflake(self):
        self.next += 1
        return self.next

    def sid(self, n):
        return n if self.opts.int_ids else str(n)

    def user(self, n):
        """The bench's student ids (User::student(10_000_000 + ...)): 7-8 digits; or real
        Discord snowflakes (18-19 digits) with --snowflake-users."""
        if self.opts.snowflake_users:
            if n not in self.snowflake_users:
                ms = self.rng.randrange(1_450_000_000_000, 1_760_000_000_000) - DISCORD_EPOCH_MS
                self.snowflake_users[n] = (ms << 22) | self.rng.randrange(1 << 22)
            return self.sid(self.snowflake_users[n])
        return self.sid(n)

    def round_id(self, now_ms):
        # src/app/mod.rs: format!("{prefix}{now:x}{:04x}", seed & 0xffff)
        return "l%x%04x" % (now_ms, self.rng.randrange(1 << 16))

    def pick_items(self, k):
        return self.rng.sample(self.items, k)


# ------------------------------------------------------------------ the store's writes

class Model:
    def __init__(self, opts):
        self.opts = opts
        self.rng = random.Random(opts.seed)
        self.ids = Ids(self.rng, opts)
        self.dir = tempfile.mkdtemp(prefix="agora-disk-", dir=opts.dir)
        self.path = os.path.join(self.dir, "agora.db")
        self.now = 1_765_000_000_000  # Unix ms, December 2025
        self.known = set()
        self.pending = []
        self.prof = self.ids.sid(2001)

    def connect(self):
        c = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        c.execute("PRAGMA busy_timeout = 5000")
        c.execute("PRAGMA foreign_keys = ON")
        c.execute("PRAGMA synchronous = NORMAL")
        # Debian's libsqlite3 is built with SECURE_DELETE; the bundled one of libsqlite3-sys is not.
        c.execute("PRAGMA secure_delete = OFF")
        return c

    def open(self):
        o = self.opts
        w = self.connect()
        w.execute("PRAGMA auto_vacuum = NONE")
        w.execute(f"PRAGMA page_size = {o.page_size}")
        assert w.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        w.execute("BEGIN IMMEDIATE")
        w.execute("CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)")
        for i, (name, sql) in enumerate(schema(o)):
            w.execute("SAVEPOINT m")
            for stmt in split_sql(sql):
                w.execute(stmt)
            w.execute("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (?, ?, 1, x'00', 1)", (i + 1, name))
            w.execute("RELEASE m")
        w.execute("COMMIT")
        # memory_replay: nothing to replay in a new file.
        w.execute("UPDATE memory_replay SET done = 1")
        w.execute("PRAGMA wal_autocheckpoint = 0")
        assert w.execute("PRAGMA page_size").fetchone()[0] == o.page_size
        self.w = w
        self.ck = self.connect()  # the checkpointer's connection (a reader of the pool)
        self.guild = self.ids.sid(self.ids.snowflake())
        w.execute("INSERT INTO guilds (id, settings) VALUES (?, '{}')", (self.guild,))
        self.upsert_user_tx(self.prof, "prof")

    def upsert_user_tx(self, user, name):
        self.w.execute(UPSERT_USER, (self.guild, user, name))
        self.known.add(user)

    def start_round(self, questions):
        """/quiz start: the round, its questions, the first opened, its outbox row."""
        w = self.w
        self.now += 7
        rid = self.ids.round_id(self.now)
        items = self.ids.pick_items(questions)
        channel = self.ids.sid(self.ids.snowflake())
        w.execute("BEGIN")
        w.execute(
            """INSERT INTO rounds (guild_id, round_id, kind, channel_id, started_by, item_ids, current_index, opened_at,
                 revealed, open_seconds, status, started_at, seed, deadline, speed_bonus)
               VALUES (?, ?, 'live', ?, ?, '[]', 0, ?, 0, 900, 'open', ?, ?, ?, 1)""",
            (self.guild, rid, channel, self.prof, self.now, self.now, self.rng.randrange(-(1 << 63), 1 << 63), self.now + 900_000),
        )
        for p, item in enumerate(items):
            w.execute("INSERT INTO round_questions (guild_id, round_id, position, item_id, message_id) VALUES (?, ?, ?, ?, NULL)", (self.guild, rid, p, item))
        w.execute(
            "INSERT INTO outbox (guild_id, kind, subject, number, part, channel_id, next_at, created_at) VALUES (?, 'question', ?, 1, '', ?, ?, ?)",
            (self.guild, rid, str(channel), self.now, self.now),
        )
        w.execute("COMMIT")
        w.execute("UPDATE round_questions SET message_id = ? WHERE guild_id = ? AND round_id = ? AND position = 0", (str(self.ids.snowflake()), self.guild, rid))
        w.execute("UPDATE outbox SET delivered = version WHERE guild_id = ? AND subject = ?", (self.guild, rid))
        return {"round": rid, "items": items, "index": 0, "channel": channel}

    def next_question(self, r):
        """Reveal, then Next: the round moves on (one transaction each, as the bot does)."""
        w = self.w
        self.now += 3
        w.execute("UPDATE rounds SET revealed = 1 WHERE guild_id = ? AND round_id = ?", (self.guild, r["round"]))
        r["index"] += 1
        w.execute("BEGIN")
        w.execute(
            "UPDATE rounds SET current_index = ?, opened_at = ?, deadline = ?, revealed = 0 WHERE guild_id = ? AND round_id = ?",
            (r["index"], self.now, self.now + 900_000, self.guild, r["round"]),
        )
        w.execute(
            "INSERT INTO outbox (guild_id, kind, subject, number, part, channel_id, next_at, created_at) VALUES (?, 'question', ?, ?, '', ?, ?, ?)",
            (self.guild, r["round"], r["index"] + 1, str(r["channel"]), self.now, self.now),
        )
        w.execute("COMMIT")
        w.execute("UPDATE round_questions SET message_id = ? WHERE guild_id = ? AND round_id = ? AND position = ?", (str(self.ids.snowflake()), self.guild, r["round"], r["index"]))
        w.execute("UPDATE outbox SET delivered = version WHERE guild_id = ? AND subject = ? AND number = ?", (self.guild, r["round"], r["index"] + 1))

    def answer_values(self, r, user):
        self.now += 1
        choice = self.rng.randrange(4)
        correct = int(choice == 0)
        elapsed = self.rng.randrange(500, 60_000)
        return (self.guild, r["round"], r["items"][r["index"]], user, str(choice), correct, float(correct), correct * self.rng.randrange(500, 1000), elapsed, self.now)

    def memory_after(self, before, a):
        # FSRS's shape (src/memory.rs): doubles, ms times, counts; the values do not matter.
        reviews = (before[7] + 1) if before else 1
        lapses = (before[8] + (1 - a[5])) if before else 0
        stability = self.rng.uniform(0.2, 40.0)
        return (a[0], a[3], a[2], stability, self.rng.uniform(1.0, 10.0), a[9] + int(stability * 86_400_000), a[9], reviews, lapses)

    def insert_one(self, r, user, name):
        """writer.rs insert_one: one lone answer, its own transaction."""
        w = self.w
        a = self.answer_values(r, user)
        w.execute("BEGIN")
        if user not in self.known:
            w.execute(UPSERT_USER, (self.guild, user, name))
        cur = w.execute(INSERT_ANSWER, a)
        counted = cur.rowcount > 0
        if not counted:
            w.execute(ANSWER_EXISTS, a[:4]).fetchone()
        else:
            before = w.execute(READ_MEMORY, (a[0], a[3], a[2])).fetchone()
            m = self.memory_after(before, a)
            if self.opts.defer_memories:
                self.pending.append(m)
            elif self.opts.memory_update_first:
                if w.execute(UPDATE_MEMORY, m).rowcount == 0:
                    w.execute(INSERT_MEMORY, m)
            else:
                w.execute(UPSERT_MEMORY, m)
        w.execute("COMMIT")
        self.known.add(user)
        return counted

    def insert_batch(self, r, users):
        """A batch (warm-up, burst): one transaction (the writer task's)."""
        w = self.w
        w.execute("BEGIN")
        for user, name in users:
            if user not in self.known:
                w.execute(UPSERT_USER, (self.guild, user, name))
        for user, _ in users:
            a = self.answer_values(r, user)
            w.execute(INSERT_ANSWER, a)
            before = w.execute(READ_MEMORY, (a[0], a[3], a[2])).fetchone()
            w.execute(UPSERT_MEMORY, self.memory_after(before, a))
        w.execute("COMMIT")
        for user, _ in users:
            self.known.add(user)

    def flush_memories(self):
        """--defer-memories: the memories of the answers since the last flush, one transaction
        (as a batch writes them), e.g. at the question's reveal or on a 1 s timer."""
        if not self.pending:
            return
        self.w.execute("BEGIN")
        for m in self.pending:
            self.w.execute(UPSERT_MEMORY, m)
        self.w.execute("COMMIT")
        self.pending = []

    def checkpoint(self):
        return self.ck.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def mx_frame(self):
        """mxFrame of the wal-index header (the -shm file, offset 16): frames in the WAL."""
        with open(self.path + "-shm", "rb") as f:
            hdr = f.read(48)
        return struct.unpack_from("=I", hdr, 16)[0]

    def wal_pages(self, first, last):
        """Page numbers of WAL frames first..last (1-based, inclusive)."""
        ps = self.opts.page_size
        out = []
        with open(self.path + "-wal", "rb") as f:
            for k in range(first, last + 1):
                f.seek(32 + (k - 1) * (ps + 24))
                out.append(struct.unpack(">I", f.read(4))[0])
        return out


def split_sql(sql):
    """Statements of a migration file (none of them holds ';' inside a literal)."""
    body = "\n".join(l for l in sql.splitlines() if not l.strip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


def page_owners(conn):
    owners = {}
    for name, pageno, pagetype in conn.execute("SELECT name, pageno, pagetype FROM dbstat"):
        owners[pageno] = (name, pagetype)
    return owners


def tree_label(owner, pageno):
    if pageno == 1:
        return "page 1 (header)"
    if owner is None:
        return "unknown"
    name, kind = owner
    kind = "leaf" if kind == "leaf" else ("interior" if kind == "internal" else kind)
    return f"{name} {kind}"


def run(opts):
    m = Model(opts)
    m.open()
    # The bench's warm-up (300 students) and burst (500), committed in batches as the bot does.
    for base, count in ((1_000_000, opts.warm_a), (2_000_000, opts.warm_b)):
        if count:
            r = m.start_round(1)
            students = [(m.ids.user(base + n), f"warm{n}") for n in range(count)]
            for k in range(0, count, 16):
                m.insert_batch(r, students[k:k + 16])
    # The classes: 48 live rounds of 11 questions.
    classes = [m.start_round(opts.questions) for _ in range(opts.classes)]
    order = []
    for c in range(opts.classes):
        seats = list(range(opts.class_size))
        if opts.order == "random":
            m.rng.shuffle(seats)
        order.append(seats)
    progress = [0] * opts.classes
    # Students already known to the process (their rows written): --known-users writes every
    # class student's row beforehand (the steady state of a running bot).
    if opts.known_users:
        m.w.execute("BEGIN")
        for c in range(opts.classes):
            for s in range(opts.class_size):
                u = m.ids.user(10_000_000 + c * 500 + s)
                m.upsert_user_tx(u, f"s{c}-{s}")
        m.w.execute("COMMIT")
    if opts.preload:
        # Answers of earlier rounds: a guild with history (bigger trees), in batches.
        for k in range(opts.preload // (opts.classes * 100) + 1):
            for c in range(opts.classes):
                r = m.start_round(1)
                studs = [(m.ids.user(10_000_000 + c * 500 + s), f"s{c}-{s}") for s in range(100)]
                for j in range(0, 100, 50):
                    m.insert_batch(r, studs[j:j + 50])
                m.w.execute("UPDATE rounds SET status = 'finished', ended_at = ? WHERE guild_id = ? AND round_id = ?", (m.now, m.guild, r["round"]))
    m.checkpoint()
    os.sync()

    frames_hist = collections.Counter()
    per_tree = collections.Counter()
    sampled = 0
    ck_bytes = 0
    ck_results = []
    frames_total = 0
    commits = 0
    wal_resets = 0
    start = write_bytes()
    t0 = time.perf_counter()
    wal_frames_by_commit = []
    last = m.mx_frame()
    sample_pages = []
    for i in range(opts.n):
        c = i % opts.classes if opts.pick == "roundrobin" else m.rng.randrange(opts.classes)
        if progress[c] >= opts.class_size:
            m.next_question(classes[c])
            progress[c] = 0
            if opts.order == "random":
                m.rng.shuffle(order[c])
        seat = order[c][progress[c]]
        progress[c] += 1
        user = m.ids.user(10_000_000 + c * 500 + seat)
        m.insert_one(classes[c], user, f"s{c}-{seat}")
        commits += 1
        now = m.mx_frame()
        if now < last:  # the WAL restarted after a complete checkpoint
            wal_resets += 1
            added = now
            first = 1
        else:
            added = now - last
            first = last + 1
        frames_hist[added] += 1
        frames_total += added
        if opts.sample and i % opts.sample == 0:
            sample_pages.append(m.wal_pages(first, now))
        last = now
        if opts.defer_memories and (i + 1) % opts.defer_memories == 0:
            m.flush_memories()
            last = m.mx_frame()
        if opts.ckpt_every and (i + 1) % opts.ckpt_every == 0:
            b = write_bytes()
            res = m.checkpoint()
            ck_bytes += write_bytes() - b
            ck_results.append(res)
        if opts.ckpt_frames and m.mx_frame() >= opts.ckpt_frames:
            b = write_bytes()
            res = m.checkpoint()
            ck_bytes += write_bytes() - b
            ck_results.append(res)
    if opts.defer_memories:
        m.flush_memories()
    elapsed = time.perf_counter() - t0
    total = write_bytes() - start
    owners = page_owners(m.w)
    for pages in sample_pages:
        sampled += 1
        for p in pages:
            per_tree[tree_label(owners.get(p), p)] += 1
    ps = opts.page_size
    db_pages = m.w.execute("PRAGMA page_count").fetchone()[0]
    counts = {t: m.w.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("answers", "memories", "users")}
    depth = {}
    for name, in m.w.execute("SELECT name FROM sqlite_master WHERE name IN ('answers','memories','users','answers_by_user') OR tbl_name IN ('answers','memories','users')"):
        depth[name] = m.w.execute("SELECT COUNT(*), MAX(length(path) - length(replace(path, '/', ''))) FROM dbstat WHERE name = ?", (name,)).fetchone()
    result = {
        "variant": opts.label or describe(opts),
        "n": opts.n,
        "bytes_per_answer": total / opts.n,
        "commit_bytes_per_answer": (total - ck_bytes) / opts.n,
        "checkpoint_bytes_per_answer": ck_bytes / opts.n,
        "frames_per_commit": frames_total / commits,
        "wal_bytes_per_answer": frames_total * (ps + 24) / commits,
        "frames_hist": dict(sorted(frames_hist.items())),
        "pages_per_commit_by_tree": {k: round(v / max(sampled, 1), 3) for k, v in per_tree.most_common()},
        "checkpoints": len(ck_results),
        "checkpoint_results_first": ck_results[:3],
        "wal_resets": wal_resets,
        "answers_per_s_python": opts.n / elapsed,
        "db_pages": db_pages,
        "rows": counts,
        "trees_pages_depth": depth,
        "sqlite": sqlite3.sqlite_version,
        "dir": m.dir,
    }
    m.w.close()
    m.ck.close()
    if not opts.keep:
        shutil.rmtree(m.dir, ignore_errors=True)
    return result


def describe(o):
    parts = [f"page {o.page_size}", f"ckpt every {o.ckpt_every or '-'}" + (f"/{o.ckpt_frames} frames" if o.ckpt_frames else "")]
    if o.drop_by_user:
        parts.append("no answers_by_user")
    if o.without_rowid:
        parts.append("WITHOUT ROWID " + "+".join(o.without_rowid))
    if o.answers_pk:
        parts.append(f"answers PK ({o.answers_pk})")
    if o.memories_pk:
        parts.append(f"memories PK ({o.memories_pk})")
    if o.memory_update_first:
        parts.append("memory UPDATE then INSERT")
    if o.defer_memories:
        parts.append(f"memories deferred, batch of {o.defer_memories}")
    if o.int_ids:
        parts.append("BIGINT guild/user ids")
    if o.known_users:
        parts.append("users known")
    if o.snowflake_users:
        parts.append("18-19 digit user ids")
    if o.preload:
        parts.append(f"+{o.preload} earlier answers")
    return ", ".join(parts)


def parser():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=6000, help="lone answers measured")
    p.add_argument("--page-size", type=int, default=1024)
    p.add_argument("--ckpt-every", type=int, default=1000, help="answers between PASSIVE checkpoints (0: none)")
    p.add_argument("--ckpt-frames", type=int, default=0, help="checkpoint when the WAL holds this many frames")
    p.add_argument("--drop-by-user", action="store_true", help="drop index answers_by_user")
    p.add_argument("--without-rowid", type=lambda s: [t for t in s.split(",") if t], default=[], help="tables made WITHOUT ROWID: answers,memories,users")
    p.add_argument("--answers-pk", default="", help="answers primary key columns, e.g. 'guild_id, round_id, item_id, user_id'")
    p.add_argument("--memories-pk", default="", help="memories primary key columns, e.g. 'guild_id, item_id, user_id'")
    p.add_argument("--memories-by-item", action="store_true")
    p.add_argument("--memory-update-first", action="store_true", help="UPDATE the memory, INSERT only when no row changed")
    p.add_argument("--defer-memories", type=int, default=0, help="write the memories of every k answers in one transaction of their own (0: in each answer's, as today)")
    p.add_argument("--int-ids", action="store_true", help="guild and user ids as BIGINT in users/answers/memories/rounds")
    p.add_argument("--snowflake-users", action="store_true", help="18-19 digit user ids (real Discord) instead of the bench's 8-digit ones")
    p.add_argument("--known-users", action="store_true", help="students' rows written before (no users upsert per answer)")
    p.add_argument("--preload", type=int, default=0, help="answers of earlier rounds stored before (a guild with history)")
    p.add_argument("--classes", type=int, default=48)
    p.add_argument("--class-size", type=int, default=500)
    p.add_argument("--questions", type=int, default=11)
    p.add_argument("--warm-a", type=int, default=300)
    p.add_argument("--warm-b", type=int, default=500)
    p.add_argument("--order", choices=["random", "seat"], default="random", help="students' order within a class")
    p.add_argument("--pick", choices=["roundrobin", "random"], default="roundrobin", help="which class the next answer is from (bench: round robin)")
    p.add_argument("--sample", type=int, default=7, help="map the WAL pages of every k-th commit to B-trees (0: off)")
    p.add_argument("--seed", type=int, default=25)
    p.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "agora-sqlite-wal"))
    p.add_argument("--keep", action="store_true")
    p.add_argument("--label", default="")
    p.add_argument("--json", action="store_true")
    return p


def main(argv=None):
    opts = parser().parse_args(argv)
    os.makedirs(opts.dir, exist_ok=True)
    r = run(opts)
    if opts.json:
        print(json.dumps(r))
    else:
        print(f"{r['variant']}: {r['bytes_per_answer']/1000:.2f} KB/answer "
              f"(commits {r['commit_bytes_per_answer']/1000:.2f}, checkpoints {r['checkpoint_bytes_per_answer']/1000:.2f}); "
              f"{r['frames_per_commit']:.2f} frames/commit = WAL {r['wal_bytes_per_answer']/1000:.2f} KB")
        print("  frames/commit histogram:", r["frames_hist"])
        print("  pages/commit by tree:", r["pages_per_commit_by_tree"])
        print("  checkpoints:", r["checkpoints"], r["checkpoint_results_first"], "WAL resets:", r["wal_resets"])
        print("  rows:", r["rows"], "db pages:", r["db_pages"], "trees (pages, depth):", r["trees_pages_depth"])
    return r


if __name__ == "__main__":
    main()
