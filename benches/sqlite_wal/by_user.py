#!/usr/bin/env python3
"""The store's queries that filter answers by user, with and without answers_by_user:
EXPLAIN QUERY PLAN and time (ms), on a guild of 500 users x 300 answers (150,000 answers,
300 rounds of 500, i.e. 30 rounds of 10 questions... here 300 one-question rounds of 500).

    python3 by_user.py
"""
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time

import model

QUERIES = {
    "recent_correct (store/answers.rs:86)": (
        """SELECT item_id FROM answers
             WHERE guild_id = ?1 AND user_id = ?2 AND correct = 1
             GROUP BY item_id
             ORDER BY MAX(answered_at) DESC, item_id
             LIMIT 50""", "read"),
    "user_totals (store/reports.rs:26)": (
        """SELECT a.item_id AS item_id, a.round_id AS round_id, a.correct AS correct, a.points AS points,
                    q.position AS position
             FROM answers a
             LEFT JOIN round_questions q
               ON q.guild_id = a.guild_id AND q.round_id = a.round_id AND q.item_id = a.item_id
             WHERE a.guild_id = ?1 AND a.user_id = ?2
             ORDER BY a.answered_at, a.round_id, a.item_id""", "read"),
    "student_records, answers (store/forget.rs:61,128)": (
        "SELECT * FROM answers t WHERE t.guild_id = ?1 AND (t.user_id = ?2) ORDER BY answered_at, round_id, item_id", "read"),
    "forget_student, DELETE answers (store/forget.rs:61,104)": (
        "DELETE FROM answers AS t WHERE t.guild_id = ?1 AND (t.user_id = ?2)", "write"),
    "forget_student, DELETE users: FK check of answers (forget.rs:69)": (
        "DELETE FROM users AS t WHERE t.guild_id = ?1 AND (t.user_id = ?2)", "write"),
    "leaderboard (store/reports.rs:96; by guild, groups by user)": (
        """SELECT a.user_id AS user_id, u.display_name AS display_name,
                    COUNT(*) AS answered,
                    CAST(SUM(a.correct) AS BIGINT) AS correct,
                    CAST(SUM(a.points) AS BIGINT) AS points
             FROM answers a
             JOIN users u ON u.guild_id = a.guild_id AND u.user_id = a.user_id
             WHERE a.guild_id = ?1
             GROUP BY a.user_id, u.display_name""", "guild"),
}


def build(path):
    opts = model.parser().parse_args([])
    m = model.Model(opts)
    m.path = path
    m.open()
    users = [(m.ids.user(10_000_000 + s), f"s{s}") for s in range(500)]
    for k in range(300):
        r = m.start_round(1)
        for j in range(0, 500, 100):
            m.insert_batch(r, users[j:j + 100])
        m.w.execute("UPDATE rounds SET status = 'finished' WHERE guild_id = ? AND round_id = ?", (m.guild, r["round"]))
    m.checkpoint()
    m.w.execute("ANALYZE") if "--analyze" in sys.argv else None
    g = m.guild
    m.w.close()
    m.ck.close()
    return g


def measure(path, guild, label):
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA foreign_keys = ON")
    rng = random.Random(1)
    out = {}
    for name, (sql, kind) in QUERIES.items():
        plan = [r[3] for r in c.execute("EXPLAIN QUERY PLAN " + sql, (guild, "10000001") if kind != "guild" else (guild,))]
        times = []
        reps = 3 if kind == "guild" else 20
        for _ in range(reps):
            u = str(10_000_000 + rng.randrange(500))
            if kind == "write":
                c.execute("BEGIN")
                t = time.perf_counter()
                if "users" in sql:
                    c.execute("DELETE FROM answers WHERE guild_id = ? AND user_id = ?", (guild, u))
                    c.execute("DELETE FROM memories WHERE guild_id = ? AND user_id = ?", (guild, u))
                    t = time.perf_counter()
                c.execute(sql, (guild, u))
                times.append(time.perf_counter() - t)
                c.execute("ROLLBACK")
            else:
                t = time.perf_counter()
                c.execute(sql, (guild, u) if kind != "guild" else (guild,)).fetchall()
                times.append(time.perf_counter() - t)
        times.sort()
        out[name] = (plan, times[len(times) // 2] * 1000, times[-1] * 1000)
    c.close()
    return out


def main():
    d = os.path.join(tempfile.gettempdir(), "agora-sqlite-wal", "by_user")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    a = os.path.join(d, "with.db")
    guild = build(a)
    b = os.path.join(d, "without.db")
    c = sqlite3.connect(a)
    c.execute("VACUUM INTO ?", (b,))
    c.close()
    c = sqlite3.connect(b, isolation_level=None)
    c.execute("DROP INDEX answers_by_user")
    c.close()
    w = measure(a, guild, "with")
    wo = measure(b, guild, "without")
    print("| query | plan with answers_by_user | ms (median / max) | plan without | ms (median / max) |")
    print("| --- | --- | ---: | --- | ---: |")
    for name in QUERIES:
        p1, m1, x1 = w[name]
        p2, m2, x2 = wo[name]
        print(f"| {name} | {'; '.join(p1)} | {m1:.2f} / {x1:.2f} | {'; '.join(p2)} | {m2:.2f} / {x2:.2f} |")


if __name__ == "__main__":
    main()
