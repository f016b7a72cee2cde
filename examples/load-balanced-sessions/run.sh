#!/usr/bin/env bash
# Tessera + 3 Flask and 3 Django app servers + nginx round-robin, all on loopback.
#   examples/load-balanced-sessions/run.sh [--ttl SECONDS] [--stacks flask,django] [--instances N]
# The store is .build/release/tessera (build: swift build -c release), or $TESSERA_BIN
# (TESSERA_BIN=redis-server to compare with Redis).  Ctrl-C stops everything.
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/lbs_cluster.py" "$@"
