// Terminal QR codes (libqrencode) drawn with UTF-8 half blocks: two modules
// per character cell, dark on light, with the 4-module quiet zone scanners
// need.
#pragma once

#include <string>
#include <string_view>

#include "attune/base/result.h"

namespace attune::cli {

// kInvalidArgument when the text does not fit a QR code.
Result<std::string> RenderQr(std::string_view text);

}  // namespace attune::cli
