// TzifZone::Parse on hostile bytes. Property: a file that parses answers
// OffsetAt for any instant with an offset inside the RFC 8536 range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "attune/client/therapy/tzif.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto zone = attune::therapy::TzifZone::Parse("Fuzz/Zone", attune::ByteView(data, size));
  if (!zone.ok()) return 0;
  for (int64_t t : {INT64_C(-5000000000), INT64_C(-1), INT64_C(0), INT64_C(1800000000),
                    INT64_C(4102444800), INT64_C(32503680000)}) {
    const int32_t offset = (*zone)->OffsetAt(t);
    // Footer offsets may reach +-24:59:59 plus one hour of DST.
    if (offset < -93600 - 3600 || offset > 93600 + 3600) std::abort();
  }
  return 0;
}
