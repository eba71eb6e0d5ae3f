#include "text_check.h"

#include <cstdint>

#include "attune/therapy/text.h"

namespace attune::therapy::internal {

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<uint8_t>(text[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
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
      return false;
    }
    if (i + len > text.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    // C1 controls (U+0080..U+009F) are rejected by the caller's rule below.
    if (cp >= 0x80 && cp <= 0x9F) return false;
    i += len;
  }
  return true;
}

Status CheckText(std::string_view field, std::string_view text, size_t max_bytes, bool required,
                 bool multiline) {
  const std::string name(field);
  if (required && text.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, name + " is empty");
  }
  if (text.size() > max_bytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     name + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  for (char ch : text) {
    const auto c = static_cast<uint8_t>(ch);
    if (c == '\n' || c == '\t') {
      if (!multiline) {
        return MakeError(ErrorCode::kInvalidArgument, name + " contains a line break");
      }
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      return MakeError(ErrorCode::kInvalidArgument, name + " contains a control character");
    }
  }
  if (!IsValidUtf8(text)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     name + " is not valid UTF-8 or contains a control character");
  }
  return Status::Ok();
}

namespace {

// Bidi controls and invisible format characters (see text.h).
bool IsFormatCharacter(uint32_t cp) {
  return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
}

}  // namespace

bool HasFormatCharacter(std::string_view text) {
  // Only called on valid UTF-8, so every lead byte has its continuation.
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<uint8_t>(text[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (i + len > text.size()) return true;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(text[i + k]) & 0x3F);
    if (IsFormatCharacter(cp)) return true;
    i += len;
  }
  return false;
}

}  // namespace attune::therapy::internal

namespace attune::therapy {

Status ValidateName(std::string_view field, std::string_view name, size_t max_bytes) {
  ATTUNE_RETURN_IF_ERROR(internal::CheckText(field, name, max_bytes, true, false));
  if (internal::HasFormatCharacter(name)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(field) + " contains an invisible or bidi control character");
  }
  return Status::Ok();
}

}  // namespace attune::therapy
