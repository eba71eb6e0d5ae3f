#!/usr/bin/env bash
# The README's test command: installs what is missing, then configures,
# builds and runs the whole suite for the `default` and `asan` presets.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh

for preset in default asan; do
  echo "== ${preset}: configure"
  cmake --preset "${preset}" >/dev/null
  echo "== ${preset}: build"
  cmake --build --preset "${preset}"
  echo "== ${preset}: test"
  ctest --preset "${preset}"
done
