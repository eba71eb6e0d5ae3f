// Published wording of the PHQ-9, PHQ-8, PHQ-2, GAD-7 and GAD-2. Do not
// paraphrase: the validity of the scores rests on the exact items.
#include "attune/therapy/instrument.h"

#include <array>
#include <cctype>
#include <string>

namespace attune::therapy {
namespace {

constexpr std::string_view kPhqStem =
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?";
constexpr std::string_view kGadStem =
    "Over the last 2 weeks, how often have you been bothered by the following problems?";

constexpr std::array<std::string_view, 9> kPhq9Items = {
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite \u2014 "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
};

constexpr std::array<std::string_view, 7> kGad7Items = {
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
};

constexpr std::array<std::string_view, 4> kFrequencyOptions = {
    "Not at all", "Several days", "More than half the days", "Nearly every day"};

constexpr std::string_view kDifficultyQuestion =
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?";
constexpr std::array<std::string_view, 4> kDifficultyOptions = {
    "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"};

// Kroenke, Spitzer & Williams 2001 (PHQ-9); Kroenke et al. 2009 (PHQ-8).
constexpr std::array<SeverityBand, 5> kPhq9Bands = {{
    {0, 4, "Minimal"},
    {5, 9, "Mild"},
    {10, 14, "Moderate"},
    {15, 19, "Moderately severe"},
    {20, 27, "Severe"},
}};
constexpr std::array<SeverityBand, 5> kPhq8Bands = {{
    {0, 4, "Minimal"},
    {5, 9, "Mild"},
    {10, 14, "Moderate"},
    {15, 19, "Moderately severe"},
    {20, 24, "Severe"},
}};
// Spitzer et al. 2006.
constexpr std::array<SeverityBand, 4> kGad7Bands = {{
    {0, 4, "Minimal"},
    {5, 9, "Mild"},
    {10, 14, "Moderate"},
    {15, 21, "Severe"},
}};

const InstrumentSpec kPhq9{
    .id = InstrumentId::kPhq9,
    .short_name = "PHQ-9",
    .title = "Patient Health Questionnaire-9",
    .stem = kPhqStem,
    .items = kPhq9Items,
    .options = kFrequencyOptions,
    .bands = kPhq9Bands,
    .positive_at = std::nullopt,
    .difficulty_question = kDifficultyQuestion,
    .difficulty_options = kDifficultyOptions,
    .self_harm_item = 8,
    .attribution = kPhqGadAttribution,
};

const InstrumentSpec kPhq8{
    .id = InstrumentId::kPhq8,
    .short_name = "PHQ-8",
    .title = "Patient Health Questionnaire-8",
    .stem = kPhqStem,
    .items = std::span<const std::string_view>(kPhq9Items).first(8),
    .options = kFrequencyOptions,
    .bands = kPhq8Bands,
    .positive_at = std::nullopt,
    .difficulty_question = kDifficultyQuestion,
    .difficulty_options = kDifficultyOptions,
    .self_harm_item = std::nullopt,
    .attribution = kPhqGadAttribution,
};

const InstrumentSpec kPhq2{
    .id = InstrumentId::kPhq2,
    .short_name = "PHQ-2",
    .title = "Patient Health Questionnaire-2",
    .stem = kPhqStem,
    .items = std::span<const std::string_view>(kPhq9Items).first(2),
    .options = kFrequencyOptions,
    .bands = {},
    .positive_at = 3,
    .difficulty_question = {},
    .difficulty_options = {},
    .self_harm_item = std::nullopt,
    .attribution = kPhqGadAttribution,
};

const InstrumentSpec kGad7{
    .id = InstrumentId::kGad7,
    .short_name = "GAD-7",
    .title = "Generalized Anxiety Disorder-7",
    .stem = kGadStem,
    .items = kGad7Items,
    .options = kFrequencyOptions,
    .bands = kGad7Bands,
    .positive_at = std::nullopt,
    .difficulty_question = {},
    .difficulty_options = {},
    .self_harm_item = std::nullopt,
    .attribution = kPhqGadAttribution,
};

const InstrumentSpec kGad2{
    .id = InstrumentId::kGad2,
    .short_name = "GAD-2",
    .title = "Generalized Anxiety Disorder-2",
    .stem = kGadStem,
    .items = std::span<const std::string_view>(kGad7Items).first(2),
    .options = kFrequencyOptions,
    .bands = {},
    .positive_at = 3,
    .difficulty_question = {},
    .difficulty_options = {},
    .self_harm_item = std::nullopt,
    .attribution = kPhqGadAttribution,
};

}  // namespace

const InstrumentSpec& GetInstrument(InstrumentId id) {
  switch (id) {
    case InstrumentId::kPhq9:
      return kPhq9;
    case InstrumentId::kGad7:
      return kGad7;
    case InstrumentId::kPhq2:
      return kPhq2;
    case InstrumentId::kGad2:
      return kGad2;
    case InstrumentId::kPhq8:
      return kPhq8;
  }
  return kPhq9;  // unreachable: InstrumentId values are only made by this module
}

Result<InstrumentId> ParseInstrumentName(std::string_view name) {
  std::string folded;
  for (char c : name) {
    if (c == '-' || c == '_') continue;
    folded.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  for (InstrumentId id : kAllInstruments) {
    std::string candidate;
    for (char c : GetInstrument(id).short_name) {
      if (c != '-') {
        candidate.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      }
    }
    if (folded == candidate) return id;
  }
  return MakeError(ErrorCode::kInvalidArgument, "unknown instrument '" +
                                                    std::string(name.substr(0, 32)) +
                                                    "' (expected phq9, phq8, phq2, gad7 or gad2)");
}

Result<InstrumentId> InstrumentFromWire(uint32_t value) {
  if (value >= 1 && value <= 5) return static_cast<InstrumentId>(value);
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown instrument number " + std::to_string(value));
}

}  // namespace attune::therapy
