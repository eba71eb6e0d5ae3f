#include "attune/therapy/scoring.h"

#include <string>

namespace attune::therapy {

Result<ValidatedAnswers> ValidatedAnswers::Create(InstrumentId id,
                                                  std::span<const uint32_t> answers,
                                                  std::optional<uint32_t> difficulty) {
  const InstrumentSpec& spec = GetInstrument(id);
  const std::string name(spec.short_name);
  if (answers.size() != spec.items.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     name + " needs " + std::to_string(spec.items.size()) + " answers, got " +
                         std::to_string(answers.size()));
  }
  std::vector<uint8_t> values;
  values.reserve(answers.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i] > kMaxAnswerValue) {
      return MakeError(ErrorCode::kInvalidArgument, name + " item " + std::to_string(i + 1) +
                                                        ": answer " + std::to_string(answers[i]) +
                                                        " is out of range 0..3");
    }
    values.push_back(static_cast<uint8_t>(answers[i]));
  }
  std::optional<uint8_t> diff;
  if (difficulty.has_value()) {
    if (spec.difficulty_question.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, name + " has no difficulty question");
    }
    if (*difficulty > kMaxAnswerValue) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          name + " difficulty answer " + std::to_string(*difficulty) + " is out of range 0..3");
    }
    diff = static_cast<uint8_t>(*difficulty);
  }
  return ValidatedAnswers(id, std::move(values), diff);
}

Score ScoreAnswers(const ValidatedAnswers& answers) {
  const InstrumentSpec& spec = answers.spec();
  uint32_t total = 0;
  for (uint8_t v : answers.answers()) total += v;
  Score score{answers.instrument(), total, spec.max_total(), {}, std::nullopt};
  if (spec.positive_at.has_value()) {
    score.positive = total >= *spec.positive_at;
    score.band = *score.positive ? "Positive screen" : "Negative screen";
  }
  for (const SeverityBand& band : spec.bands) {
    if (total >= band.min_total && total <= band.max_total) score.band = band.label;
  }
  return score;
}

Result<std::vector<uint32_t>> ParseAnswerList(std::string_view text) {
  constexpr size_t kMaxFields = 16;
  std::vector<uint32_t> out;
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view field =
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
    if (field.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "answer " + std::to_string(out.size() + 1) + " is empty");
    }
    if (field.size() > 2) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "answer " + std::to_string(out.size() + 1) + " is not a number 0..3");
    }
    uint32_t value = 0;
    for (char c : field) {
      if (c < '0' || c > '9') {
        return MakeError(ErrorCode::kInvalidArgument,
                         "answer " + std::to_string(out.size() + 1) + " is not a number 0..3");
      }
      value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    out.push_back(value);
    if (out.size() > kMaxFields) {
      return MakeError(ErrorCode::kInvalidArgument, "too many answers");
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace attune::therapy
