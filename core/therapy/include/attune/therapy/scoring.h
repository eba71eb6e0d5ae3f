// Answers to an instrument, validated once, and their score.
//
// Parse, don't validate: a ValidatedAnswers exists only if the answer count
// matches the instrument and every value is 0..3, so scoring cannot fail.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attune/base/result.h"
#include "attune/therapy/instrument.h"

namespace attune::therapy {

class ValidatedAnswers {
 public:
  // Errors (kInvalidArgument, message names the instrument and the item):
  //   wrong number of answers; a value above 3; a difficulty answer above 3
  //   or given for an instrument without the difficulty question.
  static Result<ValidatedAnswers> Create(InstrumentId id, std::span<const uint32_t> answers,
                                         std::optional<uint32_t> difficulty = std::nullopt);

  InstrumentId instrument() const { return id_; }
  const InstrumentSpec& spec() const { return GetInstrument(id_); }
  std::span<const uint8_t> answers() const { return answers_; }
  std::optional<uint8_t> difficulty() const { return difficulty_; }

  friend bool operator==(const ValidatedAnswers&, const ValidatedAnswers&) = default;

 private:
  ValidatedAnswers(InstrumentId id, std::vector<uint8_t> answers, std::optional<uint8_t> difficulty)
      : id_(id), answers_(std::move(answers)), difficulty_(difficulty) {}

  InstrumentId id_{};
  std::vector<uint8_t> answers_{};
  std::optional<uint8_t> difficulty_{};
};

struct Score {
  InstrumentId instrument{};
  uint32_t total = 0;
  uint32_t max_total = 0;
  // Severity label for banded instruments ("Moderately severe"), or
  // "Positive screen"/"Negative screen" for PHQ-2 and GAD-2.
  std::string_view band{};
  // Screeners only: total >= positive_at.
  std::optional<bool> positive{};
};

Score ScoreAnswers(const ValidatedAnswers& answers);

// "0,1,2,3,..." as typed on the command line; spaces around commas allowed.
// kInvalidArgument on an empty field, a non-digit, or more than 16 fields.
// Range and count are checked by ValidatedAnswers::Create.
Result<std::vector<uint32_t>> ParseAnswerList(std::string_view text);

}  // namespace attune::therapy
