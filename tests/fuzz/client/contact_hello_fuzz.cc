// client::ParseContactHello (attune/client/contact_hello.h) on arbitrary
// bytes: the plaintext of a pairing's first message, written by whoever
// holds the invitation.
//
// Whatever the bytes, the parser must not crash, and a ContactHello may only
// come out with a valid display name. Accepted hellos re-encode to a Content
// that parses to the same hello.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "attune/client/contact_hello.h"
#include "attune/client/routing.h"

namespace {

namespace client = attune::client;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto hello = client::ParseContactHello(attune::ByteView(data, size));
  if (!hello.ok()) {
    Check(!hello.error().message.empty());
    return 0;
  }
  Check(client::ValidateDisplayName(hello->display_name).ok());
  const attune::ByteArray<16> message_id{};
  const attune::Bytes encoded = client::EncodeContactHello(
      message_id, 0, hello->display_name, hello->mailbox_id, hello->send_capability);
  auto again = client::ParseContactHello(encoded);
  Check(again.ok());
  Check(again->display_name == hello->display_name);
  Check(again->mailbox_id == hello->mailbox_id);
  Check(std::ranges::equal(again->send_capability.view(), hello->send_capability.view()));
  return 0;
}
