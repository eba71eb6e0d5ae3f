#include "attune/desktop/tools/severity_bands.h"

#include <algorithm>

#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {

std::vector<BandArea> BandAreas(therapy::InstrumentId id) {
  const therapy::InstrumentSpec& spec = therapy::GetInstrument(id);
  const auto max = static_cast<double>(spec.max_total());
  std::vector<BandArea> out;
  for (const therapy::SeverityBand& band : spec.bands) {
    BandArea area;
    area.min_total = band.min_total;
    area.max_total = band.max_total;
    area.lower = std::max(0.0, band.min_total - 0.5);
    area.upper = std::min(max, band.max_total + 0.5);
    area.label = ToQ(band.label);
    out.push_back(area);
  }
  return out;
}

QColor BandTint(size_t index, size_t count, bool dark) {
  // Hue from green (120) to red (0); more opaque on dark backgrounds,
  // where a faint tint disappears.
  const int hue = count <= 1 ? 120 : static_cast<int>(120 - (120 * index / (count - 1)));
  return QColor::fromHsv(hue, dark ? 170 : 140, dark ? 200 : 235, dark ? 95 : 80);
}

}  // namespace attune::desktop::tools
