#include "qr.h"

#include <qrencode.h>

#include <memory>

namespace attune::cli {

Result<std::string> RenderQr(std::string_view text) {
  std::string input(text);
  // Level M survives a partly obscured or blurry phone picture.
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!code) return MakeError(ErrorCode::kInvalidArgument, "the text does not fit a QR code");
  const int width = code->width;
  const int quiet = 4;
  const int size = width + 2 * quiet;
  auto dark = [&](int x, int y) {
    x -= quiet;
    y -= quiet;
    if (x < 0 || y < 0 || x >= width || y >= width) return false;
    return (code->data[y * width + x] & 1) != 0;
  };
  // Light background, dark modules: a terminal's default colours vary, so
  // the code draws both explicitly with block characters.
  std::string out;
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; ++x) {
      bool top = dark(x, y);
      bool bottom = y + 1 < size && dark(x, y + 1);
      if (top && bottom) {
        out += " ";
      } else if (top) {
        out += "\u2584";  // lower half block: light below
      } else if (bottom) {
        out += "\u2580";  // upper half block: light above
      } else {
        out += "\u2588";  // full block: both light
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace attune::cli
