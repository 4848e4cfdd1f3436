#!/usr/bin/env python3
"""Per variant: warm runs' backend CPU us/answer (min, median, all), WAL bytes/answer warm
(records, no FPI) and cold (after CHECKPOINT: records + full-page images)."""
import sys, statistics, collections
import os
rows = collections.defaultdict(lambda: {"warm": [], "cold": []})
order = []
for line in open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "results.tsv")):
    f = line.rstrip("\n").split("\t")
    d = {k: v for k, _, v in (x.partition("=") for x in f[1:]) if _}
    lab = f[0]
    if lab not in order: order.append(lab)
    rows[lab]["cold" if d["ckpt"] == "1" else "warm"].append(d)
print(f"{'variant':16} {'cpu_min':>7} {'cpu_med':>7} {'warm runs':24} {'usr/sys(med)':>12} {'WALwarm':>7} {'WALcold':>7} {'FPI/ans':>7} {'rec/ans':>7} {'lat_ms':>6}")
for lab in order:
    w, c = rows[lab]["warm"], rows[lab]["cold"]
    cpus = [float(x["cpu_us"]) for x in w]
    us = sorted(w, key=lambda x: float(x["cpu_us"]))[len(w)//2]["user/sys_us"] if w else "-"
    ww = statistics.median([int(x["wal_B"]) for x in w]) if w else float("nan")
    wc = statistics.median([int(x["wal_B"]) for x in c]) if c else float("nan")
    fpi = c[0]["fpi_per_ans"] if c else "-"
    rec = w[0]["walrec_per_ans"] if w else (c[0]["walrec_per_ans"] if c else "-")
    lat = statistics.median([float(x["lat_ms"]) for x in w]) if w else float("nan")
    print(f"{lab:16} {min(cpus) if cpus else float('nan'):7.1f} {statistics.median(cpus) if cpus else float('nan'):7.1f} {','.join(f'{x:.0f}' for x in cpus):24} {us:>12} {ww:7.0f} {wc:7.0f} {fpi:>7} {rec:>7} {lat:6.2f}")
