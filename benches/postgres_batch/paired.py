#!/usr/bin/env python3
"""Paired view: the k-th warm run of each variant against the k-th warm run of a_base
(same round, minutes apart), as a ratio; median ratio x median base CPU."""
import collections, statistics
import os
w = collections.defaultdict(list)
for line in open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "results.tsv")):
    f = line.rstrip("\n").split("\t"); d = dict(x.split("=", 1) for x in f[1:] if "=" in x)
    if d["ckpt"] == "0": w[f[0]].append(float(d["cpu_us"]))
base = w["a_base"]; bm = statistics.median(base)
print(f"a_base median {bm:.1f} us/answer over {len(base)} runs")
for lab, v in w.items():
    r = [x / b for x, b in zip(v, base)]
    print(f"{lab:14} ratio median {statistics.median(r):.2f} (range {min(r):.2f}-{max(r):.2f}, n={len(r)})  -> {statistics.median(r)*bm:6.1f} us")
