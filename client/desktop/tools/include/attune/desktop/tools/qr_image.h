// QR codes as images (libqrencode), sized to scan from a screen: whole
// pixels per module (never a blurry scale), at least kMinModulePixels, and
// the 4-module quiet zone the standard asks for. Dark modules on white in
// any palette: scanners need that contrast.
#pragma once

#include <QByteArray>
#include <QImage>

namespace attune::desktop::tools {

inline constexpr int kMinModulePixels = 4;
inline constexpr int kQuietZoneModules = 4;

struct QrCode {
  QImage image{};   // null if the text does not fit a QR code
  int modules = 0;  // symbol width in modules, without the quiet zone
  int module_pixels = 0;
};

// The smallest whole module size >= kMinModulePixels that makes the image
// at least `min_side` pixels wide. Error correction level M.
QrCode MakeQrCode(const QByteArray& text, int min_side = 240);

}  // namespace attune::desktop::tools
