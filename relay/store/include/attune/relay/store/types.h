// Records the relay persists. Everything here is either random (mailbox ids),
// public (owner keys), a hash (capabilities, credentials, tickets),
// end-to-end ciphertext (blobs) or a time. Nothing names a person.
//
// Byte-exact layout: docs/PROTOCOL.md (part mailbox) section 8.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "attune/base/bytes.h"

namespace attune::relay {

inline constexpr size_t kMailboxIdSize = 32;
inline constexpr size_t kHash32Size = 32;
inline constexpr size_t kOwnerKeySize = 32;

using MailboxId = ByteArray<kMailboxIdSize>;
using Hash32 = ByteArray<kHash32Size>;
using OwnerKey = ByteArray<kOwnerKeySize>;  // Ed25519 public key

// Blobs are immutable once received and shared between the store, the
// sender's batch and every subscriber's write queue without copying.
using Blob = std::shared_ptr<const std::string>;

struct MailboxRecord {
  MailboxId id{};
  OwnerKey owner_key{};
  Hash32 cap_hash{};
  uint64_t next_message_id = 1;  // ids start at 1 and are never reused
  uint64_t message_count = 0;
  uint64_t byte_count = 0;  // sum of stored blob sizes
};

struct StoredMessage {
  uint64_t message_id = 0;
  Blob blob{};
};

struct CredentialRecord {
  int64_t id = 0;
  uint64_t uses_left = 0;
  uint64_t expires_at = 0;  // unix seconds; valid while now < expires_at
  bool revoked = false;
};

struct TicketRecord {
  Hash32 hash{};
  int64_t credential_id = 0;
  uint64_t expires_at = 0;
};

}  // namespace attune::relay
