#!/usr/bin/env bash
# The README's test command: installs what is missing, then configures,
# builds and runs the whole suite for the `default` and `asan` presets, and
# runs clang-tidy once (scripts/tidy.sh on the default build's compile
# database; a finding fails the command). Prints the wall time of each part
# and a summary at the end.
#
# Order: the default build, then clang-tidy in the background at the lowest
# CPU priority (it needs that build's compile database and generated
# headers) while the asan build, the default tests and the asan tests run,
# then the rest of clang-tidy. Tidy takes only the CPU the others leave idle:
# the asan build's link steps and last long compiles, and the integration
# tests' waits on processes and sockets (a lowest-priority group yields to
# any other, so build and test timing is not affected).
#
# Builds are unity builds (CMAKE_UNITY_BUILD: CMake compiles each target's
# files in batches of 16 as one translation unit), which parses the heavy
# headers (gtest, protobuf, CLI11, Asio, Qt) and emits their inline code once
# per batch instead of once per file. Names private to a file must then not
# clash within a target (the same rule scripts/tidy_unity.py already needs);
# a file that cannot share a unit says so in its CMakeLists.txt
# (SKIP_UNITY_BUILD_INCLUSION). The compile database then names CMake's
# batches; scripts/compile_db.py gives tidy the real files behind them.
#
#   ATTUNE_JOBS=N   parallel compile jobs and clang-tidy processes (default 2)
#   ATTUNE_UNITY=0  one compiler run per file, as `cmake --preset` does by
#                   default (catches a missing #include that a batch hides)
#   ATTUNE_DEBUG_INFO=full  the presets' full -g instead of line tables (-g1)
#   ATTUNE_TIDY=0   skip clang-tidy (it runs by default). The whole tree is
#                   clean under it since 2026-12-01. A complete run over all
#                   290 files (79 translation units, scripts/tidy_unity.py, 2
#                   processes) cost 1,018 s of CPU (user+sys, /usr/bin/time,
#                   2026-12-02; 2,080 s before chunks became main-file text):
#                   585 s of wall time on 2 idle cores.
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

unity=ON
if [ "${ATTUNE_UNITY:-1}" = 0 ]; then unity=OFF; fi
# Debug information: line tables only (-g1). Stack traces, ASan/UBSan reports
# and gdb backtraces keep file:line; what goes is the description of every
# variable and type, which costs more than it is worth here: on one of
# client/app's unity batches, -O2 -g took 27.1 s of CPU, -O2 -g1 18.8 s and
# -O2 -g0 17.5 s (ASan -O0: -g 25.0 s, -g1 22.6 s). ATTUNE_DEBUG_INFO=full
# keeps the presets' -g, for a build to step through in a debugger.
# Both set every time (CMake's own defaults for "full"), so switching back
# and forth in one build folder never keeps a stale cached value.
g=-g1
if [ "${ATTUNE_DEBUG_INFO:-lines}" = full ]; then g=-g; fi
debug_flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 ${g} -DNDEBUG"
  -DCMAKE_CXX_FLAGS_DEBUG="${g}")
# Batches of 16, not CMake's 8: every batch parses the heavy headers again,
# and only a few targets have more than 8 files (client/app 3 batches of 8,
# nine others 2), so 16 saves those parses (~8 s of CPU each in a test
# target) while the two cores still have ~70 batches to share.
configure_and_build() {
  cmake --preset "$1" -DCMAKE_UNITY_BUILD="${unity}" -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
    "${debug_flags[@]}" >/dev/null
  cmake --build --preset "$1" -j "${jobs}"
}

total_start=$SECONDS
step bootstrap scripts/bootstrap.sh
step "default: build" configure_and_build default
tidy_dir=$(mktemp -d)
tidy_pid=
tidy_on=${ATTUNE_TIDY:-1}
# Its own process group (setsid), so an early exit stops all of it.
trap 'if [ -n "${tidy_pid}" ]; then kill -- "-${tidy_pid}" 2>/dev/null || true; fi
  rm -rf "${tidy_dir}"' EXIT
if [ "${tidy_on}" = 1 ]; then
  # setsid also starts a new session, and with the kernel's autogroup
  # scheduling (on by default in Debian) a session is a group that gets an
  # equal share of the CPU: nice orders processes only within their group, so
  # a nice-19 tidy in its own session took half the cores from the tests
  # (default tests: 207 s instead of 135 s). Writing 19 to the session's
  # /proc/PID/autogroup gives the whole group the lowest weight; where
  # autogroup is off the file is absent and plain nice does the job.
  ATTUNE_TIDY_JOBS="${jobs}" setsid -w bash -c 'start=$SECONDS; rc=0
    echo 19 >"/proc/$$/autogroup" 2>/dev/null || true
    nice -n 19 scripts/tidy.sh build/default >"$1/log" 2>&1 || rc=$?
    echo "$((SECONDS - start))" >"$1/took"; exit "$rc"' tidy "${tidy_dir}" &
  tidy_pid=$!
  echo "== clang-tidy: started in the background (nice 19)"
fi
step "asan: build" configure_and_build asan
step "default: test" ctest --preset default
step "asan: test" ctest --preset asan

tidy_wait() {
  local rc=0
  wait "${tidy_pid}" || rc=$?
  tidy_pid=
  cat "${tidy_dir}/log"
  local took
  took=$(cat "${tidy_dir}/took" 2>/dev/null || echo "?")
  timings+=("$(printf '%-22s %4s s' "clang-tidy (overlaps)" "${took}")")
  echo "== clang-tidy: ${took} s from start to end"
  return "${rc}"
}
if [ "${tidy_on}" = 1 ]; then
  step "clang-tidy: rest" tidy_wait
fi

echo "== wall time per part"
printf '  %s\n' "${timings[@]}"
echo "  total                  $((SECONDS - total_start)) s"
