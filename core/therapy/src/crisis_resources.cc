#include "attune/therapy/crisis_resources.h"

#include "attune/therapy/limits.h"
#include "text_check.h"

namespace attune::therapy {

Result<CrisisResourceSet> CrisisResourceSet::Create(std::string locale,
                                                    std::vector<CrisisResource> resources) {
  ATTUNE_RETURN_IF_ERROR(internal::CheckText("crisis resources locale", locale, kMaxLocaleBytes,
                                             /*required=*/false, /*multiline=*/false));
  if (resources.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "crisis resources: at least one is needed");
  }
  if (resources.size() > kMaxCrisisResources) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "crisis resources: at most " + std::to_string(kMaxCrisisResources));
  }
  for (size_t i = 0; i < resources.size(); ++i) {
    const CrisisResource& r = resources[i];
    const std::string prefix = "crisis resource " + std::to_string(i + 1) + " ";
    ATTUNE_RETURN_IF_ERROR(
        internal::CheckText(prefix + "label", r.label, kMaxCrisisLabelBytes, true, false));
    ATTUNE_RETURN_IF_ERROR(
        internal::CheckText(prefix + "contact", r.contact, kMaxCrisisContactBytes, true, false));
    ATTUNE_RETURN_IF_ERROR(
        internal::CheckText(prefix + "note", r.note, kMaxCrisisNoteBytes, false, false));
    const auto kind = static_cast<uint8_t>(r.kind);
    if (kind < 1 || kind > 4) {
      return MakeError(ErrorCode::kInvalidArgument, prefix + "has an unknown kind");
    }
  }
  return CrisisResourceSet(std::move(locale), std::move(resources));
}

const CrisisResourceSet& DefaultUsCrisisResources() {
  static const CrisisResourceSet* const kSet = [] {
    auto set = CrisisResourceSet::Create(
        "en-US",
        {
            {"988 Suicide & Crisis Lifeline", "988", CrisisContactKind::kCallOrText,
             "Call or text 988, any time, day or night"},
            {"Emergency services", "911", CrisisContactKind::kCall,
             "Call 911 if you are in immediate danger"},
            {"Crisis Text Line", "741741", CrisisContactKind::kText, "Text HOME to 741741"},
        });
    return new CrisisResourceSet(std::move(set).value());
  }();
  return *kSet;
}

Result<CrisisContactKind> ParseCrisisContactKind(std::string_view text) {
  if (text == "call") return CrisisContactKind::kCall;
  if (text == "text") return CrisisContactKind::kText;
  if (text == "call-or-text") return CrisisContactKind::kCallOrText;
  if (text == "url") return CrisisContactKind::kUrl;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown contact kind (expected call, text, call-or-text or url)");
}

const char* CrisisContactKindName(CrisisContactKind kind) {
  switch (kind) {
    case CrisisContactKind::kCall:
      return "call";
    case CrisisContactKind::kText:
      return "text";
    case CrisisContactKind::kCallOrText:
      return "call-or-text";
    case CrisisContactKind::kUrl:
      return "url";
  }
  return "unknown";
}

std::string FormatCrisisResources(const CrisisResourceSet& set) {
  std::string out =
      "If you are in crisis or thinking about harming yourself, reach out now.\n"
      "Messaging your therapist is not an emergency service.\n";
  for (const CrisisResource& r : set.resources()) {
    std::string action;
    switch (r.kind) {
      case CrisisContactKind::kCall:
        action = "call " + r.contact;
        break;
      case CrisisContactKind::kText:
        action = "text " + r.contact;
        break;
      case CrisisContactKind::kCallOrText:
        action = "call or text " + r.contact;
        break;
      case CrisisContactKind::kUrl:
        action = "visit " + r.contact;
        break;
    }
    out += "  * " + r.label + ": " + action;
    if (!r.note.empty()) out += " \u2014 " + r.note;
    out += "\n";
  }
  return out;
}

}  // namespace attune::therapy
