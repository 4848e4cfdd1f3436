#!/bin/bash
# The study: round 0 cold (CHECKPOINT before each run: WAL with full-page images), then
# rounds 1..R warm, every variant once per round, interleaved (the machine is shared, so
# drift hits all variants alike). Results: out/results.tsv (label, round via ckpt column).
cd "$(dirname "$0")"
R=${R:-3}
VARIANTS=(
"pgcost       a_base        8 0 returning exists       prepared"
"pgcost       f_users       8 1 returning exists       prepared"
"pgcost       d_memselect   8 0 select    exists       prepared"
"pgcost       d_memnone     8 0 none      exists       prepared"
"pgcost       e_b4          4 0 returning exists       prepared"
"pgcost       e_b16        16 0 returning exists       prepared"
"pgcost       g_noguard     8 0 returning none         prepared"
"pgcost       g_plaininsert 8 0 returning exists-plain prepared"
"pgcost       g_simple      8 0 returning exists       simple"
"pgcost       g_extended    8 0 returning exists       extended"
"pgcost_nofk  b_nofk        8 0 returning exists       prepared"
"pgcost_nofk2 b_nofk_all    8 0 returning exists       prepared"
"pgcost_noidx c_noidx       8 0 returning exists       prepared"
"pgcost_c     g_localeC     8 0 returning exists       prepared"
)
[ "${SKIPCOLD:-0}" = 1 ] || for v in "${VARIANTS[@]}"; do CKPT=1 ./run.sh $v; done
[ "${SKIPCOLD:-0}" = 1 ] || CKPT=1 PGOPTIONS="-c wal_compression=lz4" ./run.sh pgcost g_walcomp_lz4 8 0 returning exists prepared
for r in $(seq 1 $R); do
  for v in "${VARIANTS[@]}"; do CKPT=0 ./run.sh $v; done
done
