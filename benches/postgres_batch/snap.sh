#!/bin/bash
# snap.sh PID TAG: the backend's on-CPU ns (schedstat field 1), utime and stime ticks.
read -r ns _ < /proc/$1/schedstat
t=$(awk '{print $14, $15}' /proc/$1/stat)
echo "$ns $t" > "$(dirname "$0")/out/snap.$2"
