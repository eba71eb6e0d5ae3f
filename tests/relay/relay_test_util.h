// Shared helpers for the relay unit tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/random.h"
#include "attune/mailbox/hashes.h"
#include "attune/relay/store/sqlite_store.h"

namespace attune::relay {
// The protocol's hashes (core/mailbox) under the names the relay tests use.
using mailbox::CredentialHash;
using mailbox::DeleteSignedBytes;
using mailbox::HandshakeHash;
using mailbox::kTokenSize;
using mailbox::RotateSignedBytes;
using mailbox::SendCapabilityHash;
using mailbox::SubscribeSignedBytes;
using mailbox::TicketHash;
}  // namespace attune::relay

namespace attune::relay::testing {

// A fresh directory under the system temp dir, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("attune-relay-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_{};
};

inline std::unique_ptr<SqliteMailboxStore> OpenStoreOrDie(const std::string& path,
                                                          SqliteMailboxStore::Options options) {
  auto store = SqliteMailboxStore::Open(path, std::move(options));
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
  return store.ok() ? std::move(store).value() : nullptr;
}

inline std::unique_ptr<SqliteMailboxStore> OpenStoreOrDie(const std::string& path,
                                                          bool cache_mailboxes = false) {
  SqliteMailboxStore::Options options;
  options.cache_mailboxes = cache_mailboxes;
  return OpenStoreOrDie(path, std::move(options));
}

inline Blob MakeBlob(const std::string& s) { return std::make_shared<const std::string>(s); }

// Everything a mailbox owner holds.
struct Owner {
  MailboxId id{};
  crypto::Ed25519KeyPair key{};
  ByteArray<kTokenSize> capability{};

  static Owner Random() {
    Owner o{crypto::SystemRandom().Array<kMailboxIdSize>(),
            crypto::GenerateEd25519KeyPair(crypto::SystemRandom()),
            crypto::SystemRandom().Array<kTokenSize>()};
    return o;
  }
  Hash32 cap_hash() const { return SendCapabilityHash(capability); }
};

// The mailbox row `o` owns, as InsertMailbox takes it.
inline MailboxRecord NewMailbox(const Owner& o) {
  MailboxRecord r;
  r.id = o.id;
  r.owner_key = o.key.public_key;
  r.cap_hash = o.cap_hash();
  return r;
}

}  // namespace attune::relay::testing
