#!/usr/bin/env python3
"""Runs model.py's variants one at a time and combined; prints a Markdown table.

    python3 variants.py            # all (about a minute)
    python3 variants.py --quick    # fewer
"""
import json
import os
import tempfile
import sys

import model

WR = "--without-rowid"
VARIANTS = [
    ("baseline (the bot today)", []),
    ("baseline, users already stored (steady state)", ["--known-users"]),
    ("baseline, 18-19 digit user ids", ["--snowflake-users"]),
    ("baseline, 60,000 answers", ["--n", "60000"]),
    ("a) drop answers_by_user", ["--drop-by-user"]),
    ("b) checkpoint every 5,000", ["--ckpt-every", "5000", "--n", "30000"]),
    ("b) checkpoint every 1,000 (same 30,000 answers)", ["--n", "30000"]),
    ("b) checkpoint every 30,000", ["--ckpt-every", "30000", "--n", "60000"]),
    ("b) checkpoint only when the WAL reaches 4 MiB", ["--ckpt-every", "0", "--ckpt-frames", "4000", "--n", "30000"]),
    ("c) page_size 512", ["--page-size", "512"]),
    ("c) page_size 4096", ["--page-size", "4096"]),
    ("d) memories WITHOUT ROWID", [WR, "memories"]),
    ("d) answers WITHOUT ROWID", [WR, "answers"]),
    ("d) answers + memories WITHOUT ROWID", [WR, "answers,memories"]),
    ("d) answers + memories + users WITHOUT ROWID", [WR, "answers,memories,users"]),
    ("e) answers PK (guild, user, round, item)", ["--answers-pk", "guild_id, user_id, round_id, item_id"]),
    ("e) memories PK (guild, item, user)", ["--memories-pk", "guild_id, item_id, user_id"]),
    ("e) memory UPDATE then INSERT", ["--memory-update-first"]),
    ("e) BIGINT guild/user ids", ["--int-ids"]),
    ("a+d: no by_user, answers+memories+users WITHOUT ROWID", ["--drop-by-user", WR, "answers,memories,users"]),
    ("a+d+e: ... + BIGINT ids", ["--drop-by-user", WR, "answers,memories,users", "--int-ids"]),
    ("a+d+c512", ["--drop-by-user", WR, "answers,memories,users", "--page-size", "512"]),
    ("a+d+c512+e(BIGINT)", ["--drop-by-user", WR, "answers,memories,users", "--page-size", "512", "--int-ids"]),
    ("a+d+b(5,000)", ["--drop-by-user", WR, "answers,memories,users", "--ckpt-every", "5000", "--n", "30000"]),
    ("a+d+c512+b(5,000)", ["--drop-by-user", WR, "answers,memories,users", "--page-size", "512", "--ckpt-every", "5000", "--n", "30000"]),
    ("a+d+c512+e(BIGINT)+b(5,000)", ["--drop-by-user", WR, "answers,memories,users", "--page-size", "512", "--int-ids", "--ckpt-every", "5000", "--n", "30000"]),
    ("a+d, users known", ["--drop-by-user", WR, "answers,memories,users", "--known-users"]),
    ("a+d+c512, users known", ["--drop-by-user", WR, "answers,memories,users", "--page-size", "512", "--known-users"]),
    ("d only (keep by_user), users known", [WR, "answers,memories,users", "--known-users"]),
    ("a+d, + 200,000 earlier answers", ["--drop-by-user", WR, "answers,memories,users", "--preload", "200000"]),
    ("baseline, + 200,000 earlier answers", ["--preload", "200000"]),
]


def main():
    rows = []
    only = sys.argv[1:]
    for label, args in VARIANTS:
        if only and not any(o in label for o in only):
            continue
        r = model.run(model.parser().parse_args(args + ["--label", label]))
        rows.append(r)
        print(json.dumps({k: r[k] for k in ("variant", "bytes_per_answer", "commit_bytes_per_answer", "checkpoint_bytes_per_answer", "frames_per_commit", "wal_bytes_per_answer", "n")}), file=sys.stderr, flush=True)
    print("| variant | n | frames/commit | WAL KB/answer | commits' write_bytes KB | checkpoints' KB | total KB/answer |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['variant']} | {r['n']} | {r['frames_per_commit']:.2f} | {r['wal_bytes_per_answer']/1000:.2f} | "
              f"{r['commit_bytes_per_answer']/1000:.2f} | {r['checkpoint_bytes_per_answer']/1000:.2f} | **{r['bytes_per_answer']/1000:.2f}** |")
    json.dump(rows, open(os.path.join(tempfile.gettempdir(), "agora-sqlite-wal-variants.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
