#!/usr/bin/env bash
# clang-tidy over our own sources (core/, relay/, client/, tests/), once, with
# the checks in .clang-tidy; any finding fails (WarningsAsErrors). Generated
# protobuf code (build/) and system headers are not checked.
#
#   scripts/tidy.sh [BUILD_DIR]   default build/default (needs its
#                                 compile_commands.json and generated *.pb.h)
#   ATTUNE_TIDY_JOBS=N            parallel clang-tidy processes (default 2)
#
# The build directory's flags are GCC's; clang-tidy parses them with clang,
# whose warnings differ from GCC's: -Werror is dropped for the parse so GCC
# stays the judge of compiler warnings and clang-tidy judges only its checks.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/default}
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy: $build/compile_commands.json missing; configure and build first" >&2
  exit 1
fi
tidy=$(command -v run-clang-tidy-14 || command -v run-clang-tidy || true)
if [ -z "$tidy" ]; then
  echo "tidy: run-clang-tidy not found (Debian package clang-tidy)" >&2
  exit 1
fi
# run-clang-tidy selects compile_commands entries by regex on the absolute path.
exec "$tidy" -quiet -j "${ATTUNE_TIDY_JOBS:-2}" -p "$build" \
  -extra-arg=-Wno-error -extra-arg=-Wno-unknown-warning-option \
  "^$PWD/(core|relay|client|tests)/.*\\.cc\$"
