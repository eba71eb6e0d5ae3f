// The relay's static X25519 key on disk: DATA_DIR/relay.key holds exactly the
// 32 raw private-key bytes, mode 0600 (docs/PROTOCOL.md (part mailbox) §8). The key
// never passes through argv, std::string or a log.
#pragma once

#include <string>

#include "attune/base/result.h"
#include "attune/crypto/x25519.h"

namespace attune::relay {

inline constexpr const char* kKeyFileName = "relay.key";
inline constexpr const char* kDatabaseFileName = "relay.db";

std::string KeyFilePath(const std::string& data_dir);
std::string DatabasePath(const std::string& data_dir);

// Creates data_dir (mode 0700) if missing.
Status EnsureDataDir(const std::string& data_dir);

// Takes an exclusive lock (flock on DATA_DIR/relay.lock) for the life of the
// process: one relay per data directory, because the store's write-behind
// cache assumes it is the only writer. Returns the descriptor holding the
// lock. Errors: kAlreadyExists when another relay holds it, kIoError.
Result<int> LockDataDir(const std::string& data_dir);

// Writes a new key file with O_EXCL (kAlreadyExists if one exists) and
// fsyncs it and its directory.
Status WriteNewKeyFile(const std::string& path, const crypto::X25519KeyPair& key);

// Errors: kNotFound (no file: run keygen), kInvalidArgument (not 32 bytes),
// kIoError.
Result<crypto::X25519KeyPair> ReadKeyFile(const std::string& path);

}  // namespace attune::relay
