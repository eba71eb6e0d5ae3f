#!/usr/bin/env python3
"""clang-tidy over many files at once: scripts/tidy.sh's whole-tree mode.

Why: clang-tidy 14 parses every file's headers again and walks their whole
AST with every check (2.6-3.7 s of parsing and ~4-5.5 s of matchers per file
here, nearly all of it in headers shared by the files of one target). So the
files of one target (same compile command) are checked together, CHUNK at a
time, as one translation unit: the shared headers are parsed and walked once
per chunk instead of once per file.

The chunk is the files' text, one after the other, not #includes of them: the
static analyzer runs its path-sensitive checks only on functions of the main
file (it skips system headers and runs only its simple checks on other
headers), exactly as in a run per file. #including our files would make them
headers; -analyzer-opt-analyze-headers would bring them back, but it also
analyses every function of Asio, Qt, protobuf and CLI11 (measured on 8 files
of client/app: 43 s of CPU with it, 18 s as one main file). Each file's own
folder is an -iquote directory, so its `#include "local.h"` still resolves;
reports name the real file and line (the chunk's lines are mapped back).

Same findings as one run per file: NOLINT works as usual (it is read from the
text). Two files of a chunk that cannot share a translation unit (the same
name in two anonymous namespaces, say) make clang report an error: the chunk
is split, the files the errors point at (the second of each clashing pair)
apart from the rest, or in halves when the errors point at none of them,
until each part compiles, down to single files, so the result never depends
on how files happen to be grouped. Each split costs a whole extra check of
the chunk, so prefer names that do not clash (shared helpers live in one
place anyway). Progress (one line per translation unit, with its wall time
and any split) goes to stderr, so a CI log shows where the time went.

Production files get .clang-tidy and tests tests/.clang-tidy, as in a
per-file run: the chunks live under BUILD/tidy-unity/{main,tests}/, next to
copies of those two files.

usage: tidy_unity.py ROOT BUILD_DIR JOBS FILE...   (FILE relative to ROOT)
Prints each finding's report, then the distinct findings; exit 1 if any.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compile_db import sources  # noqa: E402

CHUNK = 8

root, build, jobs = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3])
wanted = set(sys.argv[4:])
tidy = shutil.which('clang-tidy-14') or shutil.which('clang-tidy')
unity_dir = os.path.join(build, 'tidy-unity')
shutil.rmtree(unity_dir, ignore_errors=True)
for sub in ('main', 'tests'):
    os.makedirs(os.path.join(unity_dir, sub))
# main/ finds the copy of the root .clang-tidy one level up, tests/ the copy of
# tests/.clang-tidy, which inherits it; wherever the build directory is.
shutil.copy(os.path.join(root, '.clang-tidy'), unity_dir)
shutil.copy(os.path.join(root, 'tests', '.clang-tidy'), os.path.join(unity_dir, 'tests'))

# Group the files by compile command (one target's files share it).
groups = {}
for entry in json.load(open(os.path.join(build, 'compile_commands.json'))):
    command = re.sub(r' -o \S+', '', entry['command']).replace(entry['file'], '@FILE@')
    for path in sources(entry):  # one file, or a CMake unity batch's files
        rel = os.path.relpath(path, root)
        if rel not in wanted:
            continue
        wanted.discard(rel)
        kind = 'tests' if rel.startswith('tests/') else 'main'
        groups.setdefault((entry['directory'], command, kind), []).append(rel)

lock = threading.Lock()
done_units = [0]
checked = []  # every file of every unit clang-tidy finished without a split


def log(message):
    with lock:
        done_units[0] += 1
        print('tidy: [%d] %s' % (done_units[0], message), file=sys.stderr, flush=True)

entries = {}
db_dir = os.path.join(unity_dir, 'db')
os.makedirs(db_dir)
# The arguments (shallow analyzer, ...) are ExtraArgs in .clang-tidy.
header_filter = '-header-filter=^%s/(core|relay|client|tests)/' % re.escape(root)


def write_chunk(path, files):
    """Writes the files' text one after the other; returns the line map:
    (first line in the chunk, file, number of lines) per file."""
    lines_map = []
    line = 1
    with open(path, 'w') as out:
        for rel in files:
            with open(os.path.join(root, rel)) as f:
                text = f.read()
            if not text.endswith('\n'):
                text += '\n'
            count = text.count('\n')
            lines_map.append((line, rel, count))
            out.write(text)
            line += count
    return lines_map


def real_location(lines_map, line):
    for first, rel, count in lines_map:
        if first <= line < first + count:
            return rel, line - first + 1
    return None, line


def map_output(output, unity, lines_map):
    """Rewrites CHUNK:LINE:COL into FILE:LINE:COL (a path under root)."""
    def repl(m):
        rel, line = real_location(lines_map, int(m.group(1)))
        if rel is None:
            return m.group(0)
        return '%s/%s:%d:' % (root, rel, line)
    return re.sub(re.escape(unity) + r':(\d+):', repl, output)


def check(files, directory, command, kind):
    """Returns [(files, output)] for the parts with findings."""
    name = hashlib.sha1('\n'.join(files).encode()).hexdigest()[:12] + '.cc'
    unity = os.path.join(unity_dir, kind, name)
    lines_map = write_chunk(unity, files)
    quote_dirs = []
    for rel in files:
        d = os.path.dirname(os.path.join(root, rel))
        if d not in quote_dirs:
            quote_dirs.append(d)
    own = ' '.join('-iquote ' + d for d in quote_dirs)
    with lock:
        entries[unity] = {'directory': directory, 'file': unity,
                          'command': command.replace('@FILE@', own + ' ' + unity)}
        tmp = os.path.join(db_dir, 'compile_commands.json.tmp')
        with open(tmp, 'w') as f:
            json.dump(list(entries.values()), f)
        os.replace(tmp, os.path.join(db_dir, 'compile_commands.json'))
    start = time.monotonic()
    run = subprocess.run([tidy, '-p', db_dir, '--quiet', header_filter, unity],
                         capture_output=True, text=True)
    output = map_output(run.stdout + run.stderr, unity, lines_map)
    took = time.monotonic() - start
    if '[clang-diagnostic-error]' in output and len(files) > 1:
        # The error lines name the file in which clang found the clash.
        errors = set(re.findall(r'(?m)^(\S+?):\d+:\d+: error: .*\[clang-diagnostic-error\]$',
                                output))
        bad = [f for f in files if os.path.join(root, f) in errors]
        rest = [f for f in files if f not in bad]
        if not bad or not rest:
            bad, rest = files[len(files) // 2:], files[:len(files) // 2]
        log('split (%.0f s): %s | %s' % (took, ' '.join(rest), ' '.join(bad)))
        return (check(rest, directory, command, kind) +
                check(bad, directory, command, kind))
    with lock:
        checked.extend(files)
    log('%.0f s, %s: %s' % (took, 'findings' if run.returncode else 'clean', ' '.join(files)))
    if run.returncode != 0:
        return [(files, output or 'clang-tidy exited with %d\n' % run.returncode)]
    return []


def defines_fuzz_entry(rel):
    # Every fuzz target defines LLVMFuzzerTestOneInput: two can never share a
    # unit, and finding that out by a split costs a whole extra check.
    with open(os.path.join(root, rel)) as f:
        return 'LLVMFuzzerTestOneInput' in f.read()


jobs_list = []
for (directory, command, kind), files in groups.items():
    fuzz = [f for f in files if defines_fuzz_entry(f)]
    rest = [f for f in files if f not in fuzz]
    # One fuzz target per chunk, filled up with the target's other files.
    chunks = [[f] for f in fuzz]
    for f in rest:
        open_chunks = [c for c in chunks if len(c) < CHUNK]
        if open_chunks:
            open_chunks[0].append(f)
        else:
            chunks.append([f])
    for chunk in chunks:
        jobs_list.append((chunk, directory, command, kind))
with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
    results = [r for part in pool.map(lambda j: check(*j), jobs_list) for r in part]

count = sum(len(j[0]) for j in jobs_list)
# A split must still check each file exactly once.
expected = sorted(f for j in jobs_list for f in j[0])
if sorted(checked) != expected:
    print('tidy: %d files checked, expected %d: %s' % (
        len(checked), len(expected),
        ' '.join(sorted(set(expected).symmetric_difference(checked)))), file=sys.stderr)
    sys.exit(1)
missing = sorted(wanted)
if missing:
    print('tidy: not in the compile database: ' + ' '.join(missing))
if results:
    findings = set()
    for files, output in results:
        print('tidy: findings in ' + ' '.join(files))
        print(re.sub(r'(?m)^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.\n', '', output))
        findings.update(l for l in output.splitlines()
                        if re.match(r'^\S.*: (error|warning): ', l))
    print('tidy: distinct findings:')
    print('\n'.join(sorted(findings)))
    print('tidy: %d findings in %d files checked (%d translation units)'
          % (len(findings), count, len(jobs_list)), file=sys.stderr)
    sys.exit(1)
if missing:
    sys.exit(1)
shutil.rmtree(unity_dir, ignore_errors=True)
print('tidy: %d files clean (%d translation units)' % (count, len(jobs_list)))
