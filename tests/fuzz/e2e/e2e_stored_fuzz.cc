// Identity::Deserialize and InvitationSecrets::Deserialize on arbitrary bytes
// (a corrupted or hostile store). Property: the formats are strict, so
// anything that loads serialises back to exactly the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "attune/crypto/util.h"
#include "attune/e2e/identity.h"
#include "attune/e2e/invitation.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool SameBytes(const attune::crypto::SecretBytes& a, attune::ByteView b) {
  return a.size() == b.size() && attune::crypto::ConstantTimeEqual(a.view(), b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool initialised = attune::crypto::Init().ok();
  Check(initialised);
  const attune::ByteView input(data, size);
  auto identity = attune::e2e::Identity::Deserialize(input);
  if (identity.ok()) Check(SameBytes(identity->Serialize(), input));
  auto secrets = attune::e2e::InvitationSecrets::Deserialize(input);
  if (secrets.ok()) Check(SameBytes(secrets->Serialize(), input));
  return 0;
}
