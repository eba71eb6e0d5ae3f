// mailbox::ParseEnrollment (attune/mailbox/enrollment.h) on arbitrary text:
// what a therapist pastes or opens on first run. Whoever handed them the
// text controls these bytes.
//
// Whatever the bytes, the parser must not crash; it may accept only a code
// whose host is valid and whose port is not 0, and what it accepts encodes
// back to a code that parses to the same enrollment.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "attune/crypto/util.h"
#include "attune/mailbox/enrollment.h"

namespace {

namespace mailbox = attune::mailbox;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool initialised = attune::crypto::Init().ok();
  Check(initialised);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = mailbox::ParseEnrollment(text);
  if (!parsed.ok()) return 0;
  Check(!parsed->host.empty() && parsed->host.size() <= mailbox::kMaxEnrollmentHostSize);
  Check(parsed->port != 0);
  auto again = mailbox::EncodeEnrollment(*parsed);
  Check(again.ok());
  auto round = mailbox::ParseEnrollment(attune::AsStringView(again->view()));
  Check(round.ok());
  Check(round->host == parsed->host && round->port == parsed->port);
  Check(round->relay_public_key == parsed->relay_public_key);
  Check(std::memcmp(round->credential.data(), parsed->credential.data(), mailbox::kTokenSize) == 0);
  return 0;
}
