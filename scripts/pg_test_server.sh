#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests of the PostgreSQL store and
# of relay clusters.
#
#   scripts/pg_test_server.sh start DIR    creates a cluster, starts it and
#                                          writes DIR/conninfo (libpq string)
#   scripts/pg_test_server.sh crash DIR    pg_ctl stop -m immediate (no
#                                          shutdown checkpoint: crash recovery)
#   scripts/pg_test_server.sh restart DIR  starts it again on the same port
#   scripts/pg_test_server.sh stop DIR     stops it and removes everything
#
# DIR holds what the tests read (conninfo, pgpass); the data directory is a
# separate mktemp directory under /tmp owned by the server's user, because
# DIR may sit below directories that user cannot enter.
# The server listens only on 127.0.0.1, on a free port (tried at random),
# with its Unix socket in the data directory; the password is random and
# lives only in DIR/pgpass, which the conninfo names (passfile=), so it never
# appears on a command line.
# initdb refuses to run as root: as root, the server runs as the `postgres`
# system user when it exists, else as the system user `attune-pgtest`,
# created here with useradd --system.
# Durability is a production server's: fsync=on, synchronous_commit=on,
# full_page_writes=on (the tests kill it with -m immediate and expect every
# acknowledged message back). ATTUNE_PG_EXTRA_OPTS adds server options (the
# benchmark script loads pg_stat_statements with it).
# When the server binaries are absent, `start` writes the reason to
# DIR/skipped instead of DIR/conninfo and succeeds (the tests then skip).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|crash|restart|stop DIR" >&2
  exit 2
fi
bindir=${ATTUNE_PG_BINDIR:-/usr/lib/postgresql/15/bin}

pguser=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  if getent passwd postgres >/dev/null; then
    pguser=postgres
  else
    pguser=attune-pgtest
    getent passwd "$pguser" >/dev/null ||
      useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
  fi
fi

as_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$pguser" -- "$@"
  else
    "$@"
  fi
}

start_server() { # data port
  as_user "$bindir/pg_ctl" -D "$1" -l "$1/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $2 -k $1 -c max_connections=200 -c fsync=on -c synchronous_commit=on -c full_page_writes=on ${ATTUNE_PG_EXTRA_OPTS:-}" \
    >/dev/null 2>&1
}

case "$cmd" in
start)
  mkdir -p "$dir"
  rm -f "$dir/conninfo" "$dir/skipped"
  if [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "PostgreSQL 15 server binaries not found in $bindir (apt-get install postgresql-15)" \
      >"$dir/skipped"
    cat "$dir/skipped" >&2
    exit 0
  fi
  data=$(mktemp -d /tmp/attune-pgdata.XXXXXX)
  echo "$data" >"$dir/datadir"
  chown "$pguser" "$data"
  chmod 0700 "$data"
  password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  pwfile="$data/pwfile"
  (umask 077 && printf '%s\n' "$password" >"$pwfile")
  chown "$pguser" "$pwfile"
  # --no-sync: a throwaway cluster need not survive a power cut while it is
  # created; the server itself runs with fsync=on.
  if ! as_user "$bindir/initdb" -D "$data/pg" -U attune --pwfile="$pwfile" --no-sync \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    exit 1
  fi
  rm -f "$pwfile"
  started=
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    if start_server "$data/pg" "$port"; then
      started=yes
      break
    fi
  done
  if [ -z "$started" ]; then
    cat "$data/pg/server.log" >&2 || true
    exit 1
  fi
  echo "$port" >"$dir/port"
  (umask 077 && printf '127.0.0.1:%s:*:attune:%s\n' "$port" "$password" >"$dir/pgpass")
  printf 'host=127.0.0.1 port=%s user=attune dbname=postgres passfile=%s connect_timeout=5\n' \
    "$port" "$dir/pgpass" >"$dir/conninfo.tmp"
  mv "$dir/conninfo.tmp" "$dir/conninfo"
  echo "PostgreSQL test server on 127.0.0.1:$port"
  ;;
crash)
  data=$(cat "$dir/datadir")
  as_user "$bindir/pg_ctl" -D "$data/pg" -m immediate -w stop >/dev/null
  ;;
restart)
  data=$(cat "$dir/datadir")
  start_server "$data/pg" "$(cat "$dir/port")"
  ;;
stop)
  if [ -f "$dir/datadir" ]; then
    data=$(cat "$dir/datadir")
    if [ -d "$data/pg" ]; then
      as_user "$bindir/pg_ctl" -D "$data/pg" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$data" in /tmp/attune-pgdata.*) rm -rf "$data" ;; esac
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|crash|restart|stop DIR" >&2
  exit 2
  ;;
esac
