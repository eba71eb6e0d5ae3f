#include "attune/desktop/tools/qr_image.h"

#include <qrencode.h>

#include <algorithm>
#include <memory>

namespace attune::desktop::tools {

QrCode MakeQrCode(const QByteArray& text, int min_side) {
  QrCode out;
  // encodeString picks numeric / alphanumeric segments where the text
  // allows (invitation codes, safety numbers): fewer, larger modules.
  if (text.contains('\0')) return out;
  const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(text.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, /*casesensitive=*/1),
      &QRcode_free);
  if (!code) return out;
  const int width = code->width;
  const int total_modules = width + 2 * kQuietZoneModules;
  const int px = std::max(kMinModulePixels, (min_side + total_modules - 1) / total_modules);
  QImage image(total_modules * px, total_modules * px, QImage::Format_RGB32);
  image.fill(Qt::white);
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // Bit 0 of each byte: the module is dark (qrencode.h).
      if ((code->data[(y * width) + x] & 1U) == 0) continue;
      for (int dy = 0; dy < px; ++dy) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(((y + kQuietZoneModules) * px) + dy));
        std::fill_n(line + static_cast<ptrdiff_t>((x + kQuietZoneModules) * px), px, qRgb(0, 0, 0));
      }
    }
  }
  out.image = std::move(image);
  out.modules = width;
  out.module_pixels = px;
  return out;
}

}  // namespace attune::desktop::tools
