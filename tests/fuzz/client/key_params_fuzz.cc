// client::store::KeyParams::Parse (attune/client/store/key_params.h) on
// arbitrary text: the `keyparams` file beside a profile's database, which
// anyone with access to the profile directory can edit.
//
// Whatever the bytes, the parser must not crash, and KeyParams may only come
// out with Argon2id limits libsodium accepts that are at least INTERACTIVE.
// The format is strict (exact lines, no trailing bytes), so accepted text is
// exactly what Serialize() writes back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attune/client/store/key_params.h"

namespace {

namespace store = attune::client::store;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto params = store::KeyParams::Parse(text);
  if (!params.ok()) {
    Check(!params.error().message.empty());
    return 0;
  }
  const auto floor = attune::crypto::Argon2idParams::Interactive();
  Check(params->argon2.IsValid());
  Check(params->argon2.ops_limit >= floor.ops_limit && params->argon2.mem_limit >= floor.mem_limit);
  Check(params->Serialize() == text);
  return 0;
}
