// The terminal printer (client/app terminal_text.h), the name validator and
// the process hardening every `attune` process applies.
#include "attune/client/terminal_text.h"

#include <gtest/gtest.h>

#include "attune/client/process_hardening.h"
#include "attune/client/routing.h"

namespace attune::client {
namespace {

const std::string kFffd(kReplacementCharacter);

TEST(TerminalText, PassesOrdinaryTextInAnyScript) {
  EXPECT_EQ(ForTerminal("Hello, Zoë — 你好 👋 مرحبا"), "Hello, Zoë — 你好 👋 مرحبا");
  EXPECT_EQ(ForTerminal(""), "");
}

TEST(TerminalText, ReplacesC0EscapeAndDel) {
  EXPECT_EQ(ForTerminal("a\x1b[2Jb"), "a" + kFffd + "[2Jb");
  EXPECT_EQ(ForTerminal("a\rb\x7f"), "a" + kFffd + "b" + kFffd);
  EXPECT_EQ(ForTerminal("one\ntwo"), "one" + kFffd + "two");  // single-line mode
  EXPECT_EQ(ForTerminal("a\tb"), "a b");
}

TEST(TerminalText, ReplacesC1ControlsSuchAsOneByteCsi) {
  EXPECT_EQ(ForTerminal("x\xC2\x9B"
                        "2Jy"),
            "x" + kFffd + "2Jy");
  EXPECT_EQ(ForTerminal("\xC2\x85"), kFffd);  // NEL
}

TEST(TerminalText, ReplacesInvalidAndOverlongUtf8ByteByByte) {
  EXPECT_EQ(ForTerminal("\xC0\x9B"), kFffd + kFffd);  // overlong ESC... CSI
  EXPECT_EQ(ForTerminal("\xE0\x80\x9B"), kFffd + kFffd + kFffd);
  EXPECT_EQ(ForTerminal("\xED\xA0\x80"), kFffd + kFffd + kFffd);              // surrogate
  EXPECT_EQ(ForTerminal("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // > U+10FFFF
  EXPECT_EQ(ForTerminal("ab\xE2\x82"), "ab" + kFffd + kFffd);                 // truncated
  EXPECT_EQ(ForTerminal("\xFF"), kFffd);
}

TEST(TerminalText, ReplacesBidiAndInvisibleFormatCharacters) {
  for (const char* s :
       {"\xE2\x80\x8E", "\xE2\x80\x8F", "\xE2\x80\xAA", "\xE2\x80\xAE", "\xE2\x81\xA6",
        "\xE2\x81\xA9", "\xE2\x80\x8B", "\xEF\xBB\xBF", "\xE2\x80\xA8", "\xD8\x9C"}) {
    EXPECT_EQ(ForTerminal(std::string("a") + s + "b"), "a" + kFffd + "b") << ToHex(AsBytes(s));
  }
}

TEST(TerminalText, MultiLineTextKeepsItsLinesIndented) {
  EXPECT_EQ(ForTerminalLines("one\ntwo\n\nfour\n", "    "), "one\n    two\n    \n    four");
  EXPECT_EQ(ForTerminalLines("a\x1b]0;title\x07", "  "), "a" + kFffd + "]0;title" + kFffd);
}

TEST(DisplayName, SameRulesAsTextPlusNoBidi) {
  EXPECT_TRUE(ValidateDisplayName("Dr Rivera").ok());
  EXPECT_TRUE(ValidateDisplayName("Zoë Ångström").ok());
  EXPECT_FALSE(ValidateDisplayName("Sam\xC2\x9B"
                                   "2J")
                   .ok());                                    // C1 CSI
  EXPECT_FALSE(ValidateDisplayName("Sam\xC0\x9B").ok());      // overlong
  EXPECT_FALSE(ValidateDisplayName("Sam\xED\xA0\x80").ok());  // surrogate
  EXPECT_FALSE(ValidateDisplayName("Sam\nDr Rivera").ok());
  for (const char* bidi : {"\xE2\x80\x8E", "\xE2\x80\x8F", "\xE2\x80\xAA", "\xE2\x80\xAB",
                           "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE", "\xE2\x81\xA6",
                           "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9"}) {
    auto s = ValidateDisplayName(std::string("Sam") + bidi + "x");
    EXPECT_FALSE(s.ok()) << ToHex(AsBytes(bidi));
  }
  EXPECT_FALSE(ValidateDisplayName(std::string(65, 'a')).ok());
}

TEST(ProcessHardening, DisablesCoreDumps) {
  DisableCoreDumps();
  EXPECT_TRUE(CoreDumpsDisabled());
}

}  // namespace
}  // namespace attune::client
