// Terminal QR codes (libqrencode) drawn with UTF-8 half blocks: two modules
// per character cell, dark on light, with the 4-module quiet zone scanners
// need.
#pragma once

#include <string>
#include <string_view>

#include "attune/base/result.h"

namespace attune::cli {

// kInvalidArgument when the text does not fit a QR code.
// One module per column, two per row: square modules, but an invitation
// (version 18, 89 modules + quiet zone) is 97 columns wide.
Result<std::string> RenderQr(std::string_view text);
// Quadrant blocks, two modules per column and per row: half as wide (an
// invitation is 49 columns, inside an 80-column terminal); modules are
// twice as tall as wide, which phone scanners (affine sampling) accept.
Result<std::string> RenderCompactQr(std::string_view text);

}  // namespace attune::cli
