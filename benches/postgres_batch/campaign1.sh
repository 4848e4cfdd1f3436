#!/bin/bash
# Non-DDL variants on DB $1: each a cold run then two warm ones.
DB=${1:-pgcost}
v() { CKPT=1 ./run.sh $DB "$@"; CKPT=0 ./run.sh $DB "$@"; CKPT=0 ./run.sh $DB "$@"; }
cd "$(dirname "$0")"
v a_base       8  0 returning exists prepared
v f_users      8  1 returning exists prepared
v d_memselect  8  0 select    exists prepared
v d_memnone    8  0 none      exists prepared
v e_b4         4  0 returning exists prepared
v e_b16       16  0 returning exists prepared
v g_noguard    8  0 returning none   prepared
v g_extended   8  0 returning exists extended
v g_simple     8  0 returning exists simple
v d_memselect_simple 8 0 select exists simple
