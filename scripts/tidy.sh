#!/usr/bin/env bash
# clang-tidy over our own sources, once, with the checks in .clang-tidy
# (production) and tests/.clang-tidy (tests); any finding fails
# (WarningsAsErrors). scripts/test.sh runs it after the default build.
#
#   scripts/tidy.sh [BUILD_DIR] [REGEX]
#     BUILD_DIR  default build/default (needs its compile_commands.json and
#                the generated *.pb.h and Qt autogen headers, i.e. a build)
#     REGEX      only files whose path relative to the repo matches (grep -E),
#                e.g. 'relay/server|tests/relay'
#   ATTUNE_TIDY_JOBS=N  parallel clang-tidy processes (default 2)
#   ATTUNE_TIDY_PER_FILE=1  one clang-tidy per file (slow; the default checks
#                the files of a target together, see scripts/tidy_unity.py)
#
# Which files: every .cc of the compile database under core/, relay/,
# client/ and tests/, so a new file (e.g. under client/desktop) is covered as
# soon as CMake builds it. Generated code lives under the build directory
# (protobuf *.pb.cc, Qt's moc/uic output) and is never a main file; its
# headers are not reported either (-header-filter below is anchored at the
# repository, the build directory is not under those folders).
#
# Cost, measured with --enable-check-profile and /usr/bin/time (user CPU s
# per file; details in .clang-tidy): parsing alone is 2.6-3.7 s per file, the
# matcher checks ~4-5.5 s (spread evenly over ~75 checks, each walking the
# whole AST), clang-analyzer-* in deep mode 9.4 s on client/app/src/account.cc.
# Hence: the analyzer runs in shallow mode (0.75 s there) and on production
# code only, tests get a narrower check set (tests/.clang-tidy), and the files
# of one target are checked in chunks of 8 as one translation unit
# (scripts/tidy_unity.py), so the headers they share are parsed and walked
# once per chunk, not once per file.
# HeaderFilterRegex only filters which diagnostics are printed; it saves no
# time in clang-tidy 14, which always checks the whole AST.
#
# The build directory's flags are GCC's; clang-tidy parses them with clang.
# What clang needs on top (-Wno-error, the shallow analyzer, coroutine
# macros for Asio) is in .clang-tidy's ExtraArgs, so a manual
# `clang-tidy -p build/default file.cc` checks exactly what this script does.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-build/default}
filter=${2:-}
jobs=${ATTUNE_TIDY_JOBS:-2}
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy: $build/compile_commands.json missing; configure and build first" >&2
  exit 1
fi
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [ -z "$tidy" ]; then
  echo "tidy: clang-tidy not found (Debian package clang-tidy)" >&2
  exit 1
fi

files=$(python3 - "$build/compile_commands.json" "$root" <<'EOF'
import json, os, re, sys
db, root = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(root, 'scripts'))
from compile_db import sources
ours = re.compile(r'(core|relay|client|tests)/.*\.cc$')
seen = set()
for entry in json.load(open(db)):
    for path in sources(entry):  # one file, or a CMake unity batch's files
        rel = os.path.relpath(path, root)
        if ours.match(rel) and rel not in seen:
            seen.add(rel)
            print(rel)
EOF
)
if [ -n "$filter" ]; then
  files=$(grep -E -- "$filter" <<<"$files" || true)
fi
count=$(grep -c . <<<"$files" || true)
if [ "$count" -eq 0 ]; then
  echo "tidy: no files selected" >&2
  exit 1
fi

if [ "${ATTUNE_TIDY_PER_FILE:-0}" != 1 ]; then
  # shellcheck disable=SC2086  # one word per file
  exec python3 scripts/tidy_unity.py "$root" "$build" "$jobs" $files
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export tidy build out root
# One clang-tidy per file; its output is kept only when it found something.
# shellcheck disable=SC2016
xargs -P "$jobs" -n 1 bash -c '
  f=$1
  log="$out/$(tr / _ <<<"$f").log"
  if ! "$tidy" -p "$build" --quiet \
      -header-filter="^$root/(core|relay|client|tests)/" \
      "$f" >"$log" 2>&1; then
    echo "tidy: FAIL $f"
    mv "$log" "$log.fail"
  fi' tidy-one <<<"$files"

done=$(find "$out" -name '*.log*' | wc -l)
if [ "$done" -ne "$count" ]; then
  echo "tidy: only $done of $count files were checked" >&2
  exit 1
fi

failed=$(find "$out" -name '*.fail' | wc -l)
if [ "$failed" -ne 0 ]; then
  # Findings in a header repeat once per file that includes it: print each
  # failing file's report, then the distinct findings once.
  for f in "$out"/*.fail; do
    grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$f" || true
  done
  echo "tidy: distinct findings:"
  cat "$out"/*.fail | grep -E '^[^ ].*: (error|warning): ' | sort -u
  echo "tidy: $failed of $count files have findings" >&2
  exit 1
fi
echo "tidy: $count files clean"
