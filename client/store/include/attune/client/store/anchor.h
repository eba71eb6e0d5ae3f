// The rollback anchor file (docs/PROTOCOL.md (part client), section 6;
// docs/security/client.md, "Restoring an old database"): the highest write
// generation this profile's database reached, kept beside the database so
// that a restored older copy of attune.db is recognised.
//
// Format 3 (written by this version) is a fixed-size file of three 4096-byte
// slots, each "attune-anchor 3\n<confirmed>\n<pending>\n<check>\n" padded
// with zeros, where <check> is 32 hex digits of BLAKE2b-128 over the text
// before it. The value of the file is the component-wise maximum over the
// slots whose check matches (values never go down, so any valid slot is a
// lower bound of the truth and a torn slot can simply be ignored):
//
//   slots 0, 1  Raise (before COMMIT): overwrite in place the slot holding
//               the older value, then fdatasync. The other slot keeps the
//               previous raise, which was made durable before its own
//               COMMIT, so a torn write loses only this raise — whose
//               transaction has not committed and has sent nothing.
//   slot 2      Confirm (after COMMIT, and on open): overwritten in place
//               without a sync. Best effort by design: losing it to a power
//               cut is the same as a crash before the confirmation.
//
// One fdatasync per ratchet transaction instead of two atomic renames
// (four fsyncs). Formats 1 and 2 (a small text file written by rename) are
// still read; the first write replaces them by format 3 atomically.
//
// Every function expects the caller to hold anchor.lock (FileLock).
#pragma once

#include <cstdint>
#include <string>

#include "attune/base/result.h"

namespace attune::client::store {

struct AnchorState {
  uint64_t confirmed = 0;  // a generation some committed transaction reached
  uint64_t pending = 0;    // a generation announced before its COMMIT (0 = none)
};

// The anchor's value; {0, 0} when there is no anchor file yet. Errors:
// kInvalidArgument when no slot is valid (the file is damaged), kIoError.
Result<AnchorState> ReadAnchorFile(const std::string& dir);

// Before COMMIT: records `state` durably (fdatasync) in the older of the
// two raise slots. A failure means the caller must not commit.
Status RaiseAnchorFile(const std::string& dir, const AnchorState& state);

// After COMMIT: records `state` in the confirm slot without syncing.
Status ConfirmAnchorFile(const std::string& dir, const AnchorState& state);

}  // namespace attune::client::store
