#include "attune/client/terminal_text.h"

namespace attune::client {
namespace {

struct Decoded {
  uint32_t cp = 0;
  size_t length = 0;  // 0: invalid at this position (consume one byte)
};

// One UTF-8 sequence at text[i] (RFC 3629: shortest form only, no
// surrogates, at most U+10FFFF).
Decoded DecodeAt(std::string_view text, size_t i) {
  const auto c = static_cast<uint8_t>(text[i]);
  if (c < 0x80) return {c, 1};
  size_t len = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return {};
  }
  if (i + len > text.size()) return {};
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<uint8_t>(text[i + k]);
    if ((cc & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return {};
  }
  return {cp, len};
}

std::string Render(std::string_view text, bool multiline, std::string_view indent) {
  if (multiline) {
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  }
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const Decoded d = DecodeAt(text, i);
    if (d.length == 0) {
      out += kReplacementCharacter;
      ++i;
      continue;
    }
    if (d.cp == '\n' && multiline) {
      out += '\n';
      out += indent;
    } else if (d.cp == '\t') {
      out += ' ';
    } else if (IsPrintableCodePoint(d.cp)) {
      out.append(text.substr(i, d.length));
    } else {
      out += kReplacementCharacter;
    }
    i += d.length;
  }
  return out;
}

}  // namespace

bool IsPrintableCodePoint(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7F) return false;         // C0, DEL
  if (cp >= 0x80 && cp <= 0x9F) return false;        // C1
  if (cp == 0xAD || cp == 0x61C) return false;       // soft hyphen, Arabic letter mark
  if (cp >= 0x200B && cp <= 0x200F) return false;    // zero-width, LRM, RLM
  if (cp >= 0x2028 && cp <= 0x202E) return false;    // separators, bidi embeddings
  if (cp >= 0x2060 && cp <= 0x206F) return false;    // word joiner, bidi isolates
  if (cp == 0xFEFF) return false;                    // BOM / ZWNBSP
  if (cp >= 0xFFF9 && cp <= 0xFFFB) return false;    // interlinear annotation
  if (cp >= 0xFDD0 && cp <= 0xFDEF) return false;    // noncharacters
  if ((cp & 0xFFFE) == 0xFFFE) return false;         // U+xFFFE, U+xFFFF
  if (cp >= 0xE0000 && cp <= 0xE007F) return false;  // tags
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;    // surrogates
  return cp <= 0x10FFFF;
}

std::string ForTerminal(std::string_view untrusted) { return Render(untrusted, false, ""); }

std::string ForTerminalLines(std::string_view untrusted, std::string_view indent) {
  return Render(untrusted, true, indent);
}

}  // namespace attune::client
