// relay::ParseConfig (attune/relay/server/config.h) on arbitrary text: the
// relay's TOML configuration file. An admin's typo, not an attacker, is the
// usual author, but toml++ parses all of it before we look at any key.
//
// Whatever the bytes, ParseConfig must return (no crash, no escaping
// exception), and a ServerConfig may only come out with the invariants the
// server relies on: a data directory, a blob limit within the protocol's and
// a frame limit that can carry a blob of that size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attune/relay/core/limits.h"
#include "attune/relay/server/config.h"

namespace {

namespace relay = attune::relay;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = relay::ParseConfig(text);
  if (!config.ok()) {
    Check(!config.error().message.empty());
    return 0;
  }
  Check(!config->data_dir.empty());
  Check(!config->listen_address.empty());
  Check(config->mailbox.max_blob_size >= 1 && config->mailbox.max_blob_size <= relay::kMaxBlobSize);
  Check(config->limits.max_frame_size >= config->mailbox.max_blob_size + relay::kSendFrameOverhead);
  return 0;
}
