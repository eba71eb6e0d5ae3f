#!/usr/bin/env bash
# Installs the Debian 12 packages Attune needs to build and test, and only
# those that are missing. Non-interactive. Nothing else is downloaded.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libsodium-dev libasio-dev libprotobuf-dev protobuf-compiler libsqlcipher-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libqrencode-dev libtomlplusplus-dev nlohmann-json3-dev
  libpq-dev postgresql-15
  tzdata clang-tidy
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev
  fonts-dejavu-core  # offscreen Qt tests render text (and their screenshots) with it
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "attune: missing packages; run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "attune: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
