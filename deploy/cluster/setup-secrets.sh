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
echo "secrets in $(pwd)/secrets (keep them out of version control and backups of this checkout)"
