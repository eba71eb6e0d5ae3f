#!/usr/bin/env bash
# The README's test command: installs what is missing, then configures,
# builds and runs the whole suite for the `default` and `asan` presets, and
# runs clang-tidy once (scripts/tidy.sh on the default build's compile
# database; a finding fails the command). Prints the wall time of each part
# and a summary at the end.
#
#   ATTUNE_JOBS=N   parallel compile jobs and clang-tidy processes (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${ATTUNE_JOBS:-2}

timings=()
step() {  # step NAME COMMAND...: runs it, records its wall time
  local name=$1
  shift
  echo "== ${name}"
  local start=$SECONDS
  "$@"
  local took=$((SECONDS - start))
  timings+=("$(printf '%-22s %4d s' "${name}" "${took}")")
  echo "== ${name}: ${took} s"
}

configure_and_build() {
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "${jobs}"
}

total_start=$SECONDS
step bootstrap scripts/bootstrap.sh
step "default: build" configure_and_build default
step "clang-tidy" env ATTUNE_TIDY_JOBS="${jobs}" scripts/tidy.sh build/default
step "default: test" ctest --preset default
step "asan: build" configure_and_build asan
step "asan: test" ctest --preset asan

echo "== wall time per part"
printf '  %s\n' "${timings[@]}"
echo "  total                  $((SECONDS - total_start)) s"
