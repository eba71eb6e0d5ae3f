// Reading secrets (passphrases, relay credentials) without argv: from a
// file descriptor, the terminal with echo off, or (weaker, for scripts) an
// environment variable. Everything lands directly in locked SecretBytes.
#pragma once

#include <string_view>

#include "attune/base/result.h"
#include "attune/crypto/secret.h"

namespace attune::cli {

inline constexpr size_t kMaxSecretLine = 1024;

// Reads one line (without its newline) from fd, at most kMaxSecretLine
// bytes. kInvalidArgument when longer or empty ("<what> is empty"), kIoError on read errors.
Result<crypto::SecretBytes> ReadSecretLineFromFd(int fd, std::string_view what = "the passphrase");

// Prompts on /dev/tty with echo disabled (restored afterwards, also on
// error). kNotFound when there is no terminal.
Result<crypto::SecretBytes> PromptSecret(std::string_view prompt,
                                         std::string_view what = "the passphrase");

// Reads a whole small file (credential files), trimmed of surrounding
// whitespace, at most kMaxSecretLine bytes.
Result<crypto::SecretBytes> ReadSecretFile(const std::string& path,
                                           std::string_view what = "the credential file");

}  // namespace attune::cli
