// The terminal printer: turns untrusted text (a peer's name, message, check-in
// note, an error that quotes them) into bytes that are safe to write to a
// terminal. Every front end that prints to a terminal uses it for anything a
// contact or the network chose.
//
// It decodes UTF-8 and replaces, with U+FFFD, every byte sequence that is not
// valid UTF-8 (overlong forms, surrogates, values past U+10FFFF, stray
// continuation bytes, truncated sequences: one U+FFFD per bad byte) and every
// code point that is not printable:
//   - C0 controls and DEL (ESC starts terminal escape sequences), except
//     that TAB becomes a space and, in multi-line mode, LF starts a new line;
//   - C1 controls U+0080..U+009F (U+009B is a one-byte CSI on many
//     terminals);
//   - bidi controls and other invisible format characters (U+061C,
//     U+200B..U+200F, U+2028..U+202E, U+2060..U+206F, U+FEFF,
//     U+FFF9..U+FFFB, U+00AD, tags U+E0000..U+E007F), which can reorder or
//     hide what is shown around them;
//   - noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF).
// Everything else passes unchanged, so ordinary text in any script (and
// emoji) is shown as written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace attune::client {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// One line: line breaks are replaced like any other control.
std::string ForTerminal(std::string_view untrusted);

// Several lines: each LF is kept and followed by `indent` so that the
// continuation lines of a message stay visibly part of it. A trailing line
// break is dropped.
std::string ForTerminalLines(std::string_view untrusted, std::string_view indent);

// True when the code point is shown by ForTerminal unchanged.
bool IsPrintableCodePoint(uint32_t cp);

}  // namespace attune::client
