// An honest passphrase strength hint for the first run. It can only see the
// text's length and which kinds of characters it uses, and says so: it
// cannot know whether the phrase is a famous quote, a reused password or
// something people who know the person would guess.
#pragma once

#include <QString>

namespace attune::desktop {

struct StrengthHint {
  enum class Level { kEmpty, kTooShort, kWeak, kFair, kStrong } level = Level::kEmpty;
  int estimated_bits = 0;  // length × log2(alphabet the characters suggest)
  QString text{};          // one or two sentences for the window
};

// Upper bound on guessing work if every character were chosen at random from
// the character classes present (lower, upper, digit, other) — a generous
// estimate for phrases made of words, which the text says.
StrengthHint EstimateStrength(const QString& passphrase);

// The first run refuses shorter passphrases (the profile key is derived from
// it; Argon2 slows guessing but cannot save a 4-character one).
inline constexpr int kMinPassphraseLength = 10;

}  // namespace attune::desktop
