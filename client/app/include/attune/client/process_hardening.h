// Process-wide protections every client front end applies first thing in
// main(), before a profile is unlocked (docs/security/client.md).
#pragma once

namespace attune::client {

// No core dumps and no ptrace/proc access by other same-user processes:
// RLIMIT_CORE = 0 (soft and hard) and PR_SET_DUMPABLE = 0. A crash must not
// write the database key, ratchet state or plaintext to disk. Best effort:
// the calls cannot fail for an unprivileged process lowering its own limits.
void DisableCoreDumps();

// True when this process can no longer dump core (RLIMIT_CORE is 0 and the
// process is not dumpable); for tests and `attune` self-checks.
bool CoreDumpsDisabled();

}  // namespace attune::client
