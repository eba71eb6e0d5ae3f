#!/usr/bin/env bash
# Side-by-side relay store benchmark (docs/deploy.md, "Cluster capacity"):
# one node on SQLite, one node on PostgreSQL, two nodes on PostgreSQL, each at
# the given windows, all in one run against one throwaway PostgreSQL 15 server
# (scripts/pg_test_server.sh; fsync=on, synchronous_commit=on).
#
#   scripts/bench_cluster.sh [BUILD_DIR] [-- extra attune-relay-bench options]
#
# Environment: WINDOWS (default "1 16"), PAIRS (50), SECONDS_PER_RUN (10),
# BLOB (256), PG_STAT=1 to load pg_stat_statements and print the statements
# by total time after each PostgreSQL run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build/default}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
relay=$build/relay/attune-relay
bench=$build/relay/bench/attune-relay-bench
[ -x "$bench" ] || bench=$build/relay/attune-relay-bench
windows=${WINDOWS:-1 16}
pairs=${PAIRS:-50}
secs=${SECONDS_PER_RUN:-10}
blob=${BLOB:-256}

pgdir=$(mktemp -d /tmp/attune-bench-pg.XXXXXX)
trap '"$here/pg_test_server.sh" stop "$pgdir"' EXIT
if [ "${PG_STAT:-0}" = 1 ]; then
  export ATTUNE_PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
fi
"$here/pg_test_server.sh" start "$pgdir" >/dev/null
if [ -f "$pgdir/skipped" ]; then
  cat "$pgdir/skipped" >&2
  exit 1
fi
conninfo=$(cat "$pgdir/conninfo")
# The connection string without passfile= (the relay takes it separately).
connection=$(printf '%s' "$conninfo" | sed 's/ passfile=[^ ]*//')
postmaster=$(head -1 "$(cat "$pgdir/datadir")/pg/postmaster.pid")
psql_run() { PGPASSFILE=$pgdir/pgpass psql "$connection" -X -q -At "$@"; }
[ "${PG_STAT:-0}" = 1 ] && psql_run -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
psql_run -c "SHOW fsync; SHOW synchronous_commit; SHOW wal_sync_method; SHOW full_page_writes" |
  paste -sd' ' | sed 's/^/postgres settings (fsync, synchronous_commit, wal_sync_method, full_page_writes): /'

run() { # label, window, bench args...
  local label=$1 window=$2
  shift 2
  echo "=== $label, window $window ($(uptime | sed 's/.*load/load/'))"
  [ "${PG_STAT:-0}" = 1 ] && psql_run -c "SELECT pg_stat_statements_reset()" >/dev/null
  "$bench" --relay-binary "$relay" --mode throughput --pairs "$pairs" --window "$window" \
    --seconds "$secs" --blob-size "$blob" "$@" | grep -v '^relay  \|^relay node 2  '
  if [ "${PG_STAT:-0}" = 1 ] && [ "$label" != "1 node, SQLite" ]; then
    psql_run -F ' | ' -c "SELECT round(total_exec_time::numeric, 1) AS ms, calls,
        round((total_exec_time / greatest(calls, 1) * 1000)::numeric, 1) AS us_per_call,
        left(regexp_replace(query, '\s+', ' ', 'g'), 90)
      FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12"
  fi
}

for w in $windows; do
  run "1 node, SQLite" "$w" "$@"
  run "1 node, PostgreSQL" "$w" --pg-connection "$connection" --pg-password-file "$pgdir/pgpass" \
    --pg-pid "$postmaster" "$@"
  run "2 nodes, PostgreSQL" "$w" --pg-connection "$connection" --pg-password-file "$pgdir/pgpass" \
    --pg-pid "$postmaster" --nodes 2 "$@"
done
