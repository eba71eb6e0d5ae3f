// What one check-in says when a conversation shows it as a card (the desktop
// app's bubble; any other windowed front end): the title, one line per
// answer that is present, and the risk, worded here once so that no front
// end decides how a score or a risk is described.
#pragma once

#include <string>
#include <vector>

#include "attune/therapy/check_in.h"

namespace attune::therapy {

struct CheckInCardLine {
  std::string label{};   // "PHQ-9", "Mood", "Sleep", "Note"
  std::string value{};   // "10 of 27 · Moderate", "4 of 10", "7 h 30 min"
  bool flagged = false;  // this answer is why the check-in is urgent

  friend bool operator==(const CheckInCardLine&, const CheckInCardLine&) = default;
};

struct CheckInCard {
  std::string title{};                   // "Check-in", "Urgent check-in: I need help now"
  std::string filled_at{};               // the client's local time of filling (FormatFilledAt)
  std::vector<CheckInCardLine> lines{};  // mood, anxiety, sleep, instruments, note
  bool urgent = false;                   // AssessRisk: highlight the card
  std::string risk{};                    // urgent: why, in words (DescribeRisk)

  friend bool operator==(const CheckInCard&, const CheckInCard&) = default;
};

CheckInCard DescribeCheckInCard(const CheckIn& check_in);

// The card as lines of plain text (title, "label: value" lines, the risk):
// what a screen reader reads for it.
std::string CheckInCardText(const CheckInCard& card);

}  // namespace attune::therapy
