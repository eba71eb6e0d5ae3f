// Crisis resources shown on the client's device the moment a check-in shows
// risk, when a conversation starts, and in every auto-reply. A therapist sets
// them for their clinic and locale; until then the default US set applies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attune/base/result.h"

namespace attune::therapy {

enum class CrisisContactKind : uint8_t {
  kCall = 1,
  kText = 2,
  kCallOrText = 3,
  kUrl = 4,
};

struct CrisisResource {
  std::string label{};    // "988 Suicide & Crisis Lifeline"
  std::string contact{};  // "988"
  CrisisContactKind kind{};
  std::string note{};  // optional: "Text HOME to 741741"
  friend bool operator==(const CrisisResource&, const CrisisResource&) = default;
};

// A validated set: 1..kMaxCrisisResources entries, each with a non-empty
// label and contact within their byte bounds, valid UTF-8, no control
// characters (they are printed to a terminal).
class CrisisResourceSet {
 public:
  // kInvalidArgument naming the entry and field at fault.
  static Result<CrisisResourceSet> Create(std::string locale,
                                          std::vector<CrisisResource> resources);

  const std::string& locale() const { return locale_; }
  const std::vector<CrisisResource>& resources() const { return resources_; }
  friend bool operator==(const CrisisResourceSet&, const CrisisResourceSet&) = default;

 private:
  CrisisResourceSet(std::string locale, std::vector<CrisisResource> resources)
      : locale_(std::move(locale)), resources_(std::move(resources)) {}
  std::string locale_{};
  std::vector<CrisisResource> resources_{};
};

// en-US: 988 (call or text) Suicide & Crisis Lifeline; 911 for immediate
// danger; Crisis Text Line, text HOME to 741741.
const CrisisResourceSet& DefaultUsCrisisResources();

// Parses "call", "text", "call-or-text", "url".
Result<CrisisContactKind> ParseCrisisContactKind(std::string_view text);
const char* CrisisContactKindName(CrisisContactKind kind);

// One line per resource, ready for a terminal, starting with a heading that
// says messaging is not an emergency service. Pure text, no escapes.
std::string FormatCrisisResources(const CrisisResourceSet& set);

}  // namespace attune::therapy
