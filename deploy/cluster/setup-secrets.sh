#!/usr/bin/env bash
# Creates deploy/cluster/secrets/{pg_password,pgpass} with a random password
# (once; existing files are kept). The relay reads only pgpass, which the
# container user (uid 7420) must be able to read and nobody else.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p secrets
chmod 0700 secrets
if [ ! -f secrets/pg_password ]; then
  umask 077
  pw=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s\n' "$pw" >secrets/pg_password
  printf 'postgres:5432:attune:attune:%s\n' "$pw" >secrets/pgpass
fi
# Docker Compose bind-mounts file secrets as they are on the host (it does
# not apply the uid/mode of compose.yaml's long syntax outside swarm mode),
# and libpq ignores a passfile that others may read: the relay's uid must own
# pgpass, mode 0600.
chmod 0600 secrets/pg_password secrets/pgpass
if [ "$(id -u)" -eq 0 ]; then
  chown 7420:7420 secrets/pgpass
elif [ "$(stat -c %u secrets/pgpass)" != 7420 ]; then
  echo "now run: sudo chown 7420:7420 $(pwd)/secrets/pgpass   (the relay container's user)" >&2
fi
echo "secrets in $(pwd)/secrets (keep them out of version control and backups of this checkout)"
