// The severity bands a score chart shades, straight from the instrument
// definitions in core/therapy (instrument.h): PHQ-9 0-4 / 5-9 / 10-14 /
// 15-19 / 20-27, GAD-7 0-4 / 5-9 / 10-14 / 15-21. No widget needed.
#pragma once

#include <QColor>
#include <QString>
#include <vector>

#include "attune/therapy/instrument.h"

namespace attune::desktop::tools {

struct BandArea {
  // Shaded from lower to upper on the score axis: each band reaches half a
  // point past its whole scores so neighbours meet with no gap, clamped to
  // 0..max_total.
  double lower = 0;
  double upper = 0;
  uint32_t min_total = 0;
  uint32_t max_total = 0;
  QString label{};
};

// Empty for the screeners (PHQ-2, GAD-2), which have no bands.
std::vector<BandArea> BandAreas(therapy::InstrumentId id);

// A translucent tint from calm (band 0) to alarming (the last band) that
// reads on a light and on a dark chart background alike: the only colours
// the tools choose themselves.
QColor BandTint(size_t index, size_t count, bool dark);

}  // namespace attune::desktop::tools
