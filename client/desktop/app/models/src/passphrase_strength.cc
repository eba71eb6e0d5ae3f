#include "attune/desktop/passphrase_strength.h"

#include <QObject>
#include <algorithm>
#include <cmath>

namespace attune::desktop {

StrengthHint EstimateStrength(const QString& passphrase) {
  StrengthHint hint;
  const int length = static_cast<int>(passphrase.size());
  if (length == 0) {
    hint.text = QObject::tr("Choose a passphrase: a few unrelated words work well.");
    return hint;
  }
  bool lower = false;
  bool upper = false;
  bool digit = false;
  bool other = false;
  for (QChar c : passphrase) {
    if (c.isLower()) {
      lower = true;
    } else if (c.isUpper()) {
      upper = true;
    } else if (c.isDigit()) {
      digit = true;
    } else {
      other = true;
    }
  }
  const int alphabet = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 33 : 0);
  hint.estimated_bits =
      static_cast<int>(std::floor(length * std::log2(static_cast<double>(std::max(alphabet, 2)))));
  const QString basis = QObject::tr(
                            "This estimate (about %1 bits) only counts length and kinds of "
                            "characters; it cannot tell "
                            "whether the phrase is well known or used elsewhere.")
                            .arg(hint.estimated_bits);
  if (length < kMinPassphraseLength) {
    hint.level = StrengthHint::Level::kTooShort;
    hint.text = QObject::tr("Too short: use at least %1 characters.").arg(kMinPassphraseLength);
    return hint;
  }
  if (hint.estimated_bits < 50) {
    hint.level = StrengthHint::Level::kWeak;
    hint.text = QObject::tr("Weak — add another word or two. ") + basis;
  } else if (hint.estimated_bits < 80) {
    hint.level = StrengthHint::Level::kFair;
    hint.text = QObject::tr("Fair. ") + basis;
  } else {
    hint.level = StrengthHint::Level::kStrong;
    hint.text = QObject::tr("Strong, if it is not a phrase others know. ") + basis;
  }
  return hint;
}

}  // namespace attune::desktop
