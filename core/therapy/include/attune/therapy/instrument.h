// The standardised questionnaires a check-in can carry, with their published
// wording, answer options, scoring bands and attribution.
//
// Wording is reproduced exactly from the published PHQ and GAD-7 forms
// (Spitzer, Williams, Kroenke et al.); see docs/design/therapy.md. The data
// is static and immutable; every function here is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "attune/base/result.h"

namespace attune::therapy {

// Numbers match attune.content.v1.Instrument on the wire.
enum class InstrumentId : uint8_t {
  kPhq9 = 1,
  kGad7 = 2,
  kPhq2 = 3,
  kGad2 = 4,
  kPhq8 = 5,
};

inline constexpr InstrumentId kAllInstruments[] = {InstrumentId::kPhq9, InstrumentId::kGad7,
                                                   InstrumentId::kPhq2, InstrumentId::kGad2,
                                                   InstrumentId::kPhq8};

// A score range [min_total, max_total] with its published label.
struct SeverityBand {
  uint32_t min_total = 0;
  uint32_t max_total = 0;
  std::string_view label{};  // "Minimal", "Mild", ...
};

struct InstrumentSpec {
  InstrumentId id{};
  std::string_view short_name{};  // "PHQ-9"
  std::string_view title{};       // "Patient Health Questionnaire-9"
  std::string_view stem{};        // "Over the last 2 weeks, how often ..."
  std::span<const std::string_view> items{};
  // Answer labels, index = value (0 "Not at all" .. 3 "Nearly every day").
  std::span<const std::string_view> options{};
  // Bands cover 0..max_total without gaps. Empty for screeners.
  std::span<const SeverityBand> bands{};
  // Screeners (PHQ-2, GAD-2): a total >= this is a positive screen.
  std::optional<uint32_t> positive_at{};
  // The optional functional-difficulty question (PHQ-9, PHQ-8); empty if none.
  std::string_view difficulty_question{};
  std::span<const std::string_view> difficulty_options{};
  // 0-based index of the item that asks about self-harm, if present.
  std::optional<size_t> self_harm_item{};
  std::string_view attribution{};

  uint32_t max_total() const { return static_cast<uint32_t>(items.size()) * 3; }
};

inline constexpr uint32_t kMaxAnswerValue = 3;

const InstrumentSpec& GetInstrument(InstrumentId id);

// "phq9", "PHQ-9", "phq-9" and so on. kInvalidArgument for anything else.
Result<InstrumentId> ParseInstrumentName(std::string_view name);

// From the wire number; kInvalidArgument for 0 or an unknown value.
Result<InstrumentId> InstrumentFromWire(uint32_t value);

// The attribution printed wherever the PHQ or GAD-7 wording is displayed.
inline constexpr std::string_view kPhqGadAttribution =
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute.";

}  // namespace attune::therapy
