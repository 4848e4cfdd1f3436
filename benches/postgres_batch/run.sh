#!/bin/bash
# run.sh DB LABEL B USERS MEMREAD GUARD MODE   (MODE: prepared|extended|simple)
# One measured run: 24,000 answers (every student of the 48 classes answers the next question)
# in batches of B, one client, after a CHECKPOINT. Appends a line to out/results.tsv.
set -euo pipefail
DB=$1 LABEL=$2 B=$3 USERS=$4 MEMREAD=$5 GUARD=$6 MODE=$7
Q="psql -h 127.0.0.1 -U postgres -d $DB -Atq -v ON_ERROR_STOP=1"
cd "$(dirname "$0")"
P=$($Q -c "SELECT max(current_index)+1 FROM rounds")
$Q -c "UPDATE rounds SET current_index = $P"
T=$((24000 / B))
python3 gen.py $B $USERS $MEMREAD $GUARD > out/script.sql
[ "${CKPT:-1}" = 1 ] && $Q -c "CHECKPOINT"
read -r L0 R0 F0 W0 <<< "$($Q -F' ' -c "SELECT pg_current_wal_lsn(), wal_records, wal_fpi, wal_bytes FROM pg_stat_wal")"
rm -f out/snap.start out/snap.end
pgbench -h 127.0.0.1 -U postgres -n -c 1 -M $MODE -t $T -f out/script.sql \
  -D n=0 -D last=$((T-1)) -D p=$P -D resp=2 -D corr=1 -D credit=1.0 -D pts=900 -D el=1234 \
  -D stab=2.5 -D diff=5.0 -D due=1766000000000 -D one=1 -D zero=0 $DB > out/pgbench.log 2>&1 || { cat out/pgbench.log; exit 1; }
read -r L1 R1 F1 W1 <<< "$($Q -F' ' -c "SELECT pg_current_wal_lsn(), wal_records, wal_fpi, wal_bytes FROM pg_stat_wal")"
N=$($Q -c "SELECT count(*) FROM answers WHERE item_id = '$((5000000 + P))'")
read -r NS0 UT0 ST0 < out/snap.start; read -r NS1 UT1 ST1 < out/snap.end
WAL=$($Q -c "SELECT pg_wal_lsn_diff('$L1','$L0')")
read -r RECB FPIB <<< "$(/usr/lib/postgresql/15/bin/pg_waldump -p /var/lib/postgresql/15/main/pg_wal -s $L0 -e $L1 --stats 2>/dev/null | awk -v n=$N '/^Total/ {printf "%d %d", $3/n, $5/n}')"
TPS=$(grep -o 'tps = [0-9.]*' out/pgbench.log | head -1 | cut -d' ' -f3)
LAT=$(grep -o 'latency average = [0-9.]*' out/pgbench.log | cut -d' ' -f4)
CPU=$(python3 -c "print(f'{($NS1-$NS0)/1000/$N:.1f}')")
TCK=$(python3 -c "print(f'{($UT1-$UT0)*10000/$N:.0f}/{($ST1-$ST0)*10000/$N:.0f}')")
printf "%s\tckpt=%s\tB=%s\tusers=%s\tmem=%s\tguard=%s\t%s\tp=%s\tN=%s\tcpu_us=%s\tuser/sys_us=%s\twal_B=%s\trecB=%s\tfpiB=%s\tfpi_per_ans=%s\twalrec_per_ans=%s\tlat_ms=%s\n" \
  "$LABEL" "${CKPT:-1}" $B $USERS $MEMREAD $GUARD $MODE $P $N $CPU $TCK $(( WAL / N )) "$RECB" "$FPIB" $(python3 -c "print(f'{($F1-$F0)/$N:.2f}')") $(python3 -c "print(f'{($R1-$R0)/$N:.2f}')") "$LAT" | tee -a out/results.tsv
