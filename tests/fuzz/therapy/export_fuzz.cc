// ParseJsonExport / ParseCsvExport on hostile text. Property: whatever
// parses exports again to text that parses to an equal value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "attune/client/therapy/export.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto json = attune::therapy::ParseJsonExport(text); json.ok()) {
    auto again = attune::therapy::ParseJsonExport(attune::therapy::ExportJson(*json));
    if (!again.ok() || !(*again == *json)) std::abort();
  }
  if (auto csv = attune::therapy::ParseCsvExport(text); csv.ok()) {
    attune::therapy::ConversationExport wrapper;
    wrapper.entries = *csv;
    auto again = attune::therapy::ParseCsvExport(attune::therapy::ExportCsv(wrapper));
    if (!again.ok() || !(*again == *csv)) std::abort();
  }
  return 0;
}
