// therapy::ParseContent on hostile bytes (every decrypted message passes
// through it). Property: whatever parses re-serialises to bytes that parse
// to an equal value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "attune/therapy/content.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = attune::therapy::ParseContent(attune::ByteView(data, size));
  if (!parsed.ok()) return 0;
  const attune::Bytes again = attune::therapy::SerializeContent(*parsed);
  auto reparsed = attune::therapy::ParseContent(again);
  if (!reparsed.ok() || reparsed->message_id != parsed->message_id ||
      reparsed->sent_at != parsed->sent_at || !(reparsed->body == parsed->body)) {
    std::abort();
  }
  return 0;
}
