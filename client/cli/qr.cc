#include "qr.h"

#include <qrencode.h>

#include <memory>

namespace attune::cli {

namespace {

using Code = std::unique_ptr<QRcode, void (*)(QRcode*)>;

Result<Code> Encode(std::string_view text) {
  std::string input(text);
  // Level M survives a partly obscured or blurry phone picture.
  Code code(QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!code) return MakeError(ErrorCode::kInvalidArgument, "the text does not fit a QR code");
  return code;
}

}  // namespace

Result<std::string> RenderCompactQr(std::string_view text) {
  ATTUNE_ASSIGN_OR_RETURN(Code code, Encode(text));
  const int width = code->width;
  const int quiet = 4;
  const int size = width + 2 * quiet;
  auto light = [&](int x, int y) {
    x -= quiet;
    y -= quiet;
    if (x < 0 || y < 0 || x >= width || y >= width) return true;
    return (code->data[y * width + x] & 1) == 0;
  };
  // Index: top-left 8, top-right 4, bottom-left 2, bottom-right 1 (light).
  static const char* const kQuadrant[16] = {
      " ",      "\u2597", "\u2596", "\u2584", "\u259D", "\u2590", "\u259E", "\u259F",
      "\u2598", "\u259A", "\u258C", "\u2599", "\u2580", "\u259C", "\u259B", "\u2588"};
  std::string out;
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; x += 2) {
      const int index = (light(x, y) ? 8 : 0) | (light(x + 1, y) ? 4 : 0) |
                        (light(x, y + 1) ? 2 : 0) | (light(x + 1, y + 1) ? 1 : 0);
      out += kQuadrant[index];
    }
    out += "\n";
  }
  return out;
}

Result<std::string> RenderQr(std::string_view text) {
  ATTUNE_ASSIGN_OR_RETURN(Code code, Encode(text));
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
