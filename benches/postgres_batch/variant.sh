#!/bin/bash
# variant.sh DB LABEL B USERS MEMREAD GUARD MODE: a cold run (after CHECKPOINT) then a warm one.
CKPT=1 "$(dirname "$0")/run.sh" "$@" && CKPT=0 "$(dirname "$0")/run.sh" "$@"
