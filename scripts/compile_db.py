"""The source files behind a compile_commands.json entry.

scripts/test.sh builds with CMAKE_UNITY_BUILD=ON (one compiler run for a
batch of a target's files, see scripts/test.sh), so the compile database
names CMake's generated unity files (BUILD/.../Unity/unity_N_cxx.cxx), each
an #include of the real files, instead of the files themselves. A developer's
build (`cmake --preset default`) names each file. scripts/tidy.sh and
scripts/tidy_unity.py must see the real files either way: sources() gives
them, in order, as absolute paths.
"""
import os
import re

_UNITY = re.compile(r'/Unity/unity_\d+_cxx\.cxx$')
_INCLUDE = re.compile(r'^#include "([^"]+)"', re.M)


def sources(entry):
    path = os.path.normpath(os.path.join(entry['directory'], entry['file']))
    if not _UNITY.search(path):
        return [path]
    with open(path) as f:
        return [os.path.normpath(p) for p in _INCLUDE.findall(f.read())]
