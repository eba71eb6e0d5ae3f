// The relay's configuration file (TOML), parsed once into a ServerConfig that
// only exists when every value is in range (docs/PROTOCOL.md (part mailbox) §6).
// Unknown keys are errors so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "attune/base/result.h"
#include "attune/relay/core/limits.h"
#include "attune/relay/server/log.h"

namespace attune::relay {

inline constexpr uint16_t kDefaultPort = 7420;

struct ServerConfig {
  std::string listen_address = "0.0.0.0";
  uint16_t port = kDefaultPort;  // 0 = any free port
  std::string data_dir{};        // required
  LogLevel log_level = LogLevel::kInfo;
  MailboxLimits mailbox{};
  ConnectionLimits limits{};
};

// Errors: kInvalidArgument with a one-line message naming the key (TOML
// syntax errors include line and column); kIoError when the file cannot be
// read.
Result<ServerConfig> ParseConfig(std::string_view toml_text);
Result<ServerConfig> LoadConfigFile(const std::string& path);

}  // namespace attune::relay
