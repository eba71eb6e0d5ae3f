#include "attune/client/content_view.h"

#include <type_traits>
#include <variant>

#include "attune/client/practice.h"
#include "attune/client/terminal_text.h"
#include "attune/therapy/content.h"

namespace attune::client {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

constexpr std::string_view kContinuationIndent = "    ";

}  // namespace

std::string SanitizeForTerminal(std::string_view text) { return ForTerminal(text); }

std::string WindowText(std::string_view summary) {
  // ForTerminalLines puts the indent after every line break it keeps, so
  // dropping exactly that after each break restores the lines as written.
  std::string out;
  out.reserve(summary.size());
  size_t i = 0;
  while (i < summary.size()) {
    out += summary[i];
    if (summary[i] == '\n' &&
        summary.substr(i + 1, kContinuationIndent.size()) == kContinuationIndent) {
      i += kContinuationIndent.size();
    }
    ++i;
  }
  return out;
}

std::string ContentKind(ByteView content) {
  auto parsed = therapy::ParseContent(content);
  if (!parsed.ok()) return "unknown";
  return std::visit(
      Overloaded{[](const therapy::TextMessage&) { return std::string("text"); },
                 [](const therapy::CheckIn&) { return std::string("check-in"); },
                 [](const therapy::CheckInSchedule&) { return std::string("schedule"); },
                 [](const therapy::OfficeHours&) { return std::string("office-hours"); },
                 [](const therapy::CrisisResourceSet&) { return std::string("crisis-resources"); },
                 [](const therapy::Receipt&) { return std::string("receipt"); }},
      parsed->body);
}

MessageKind KindOf(const therapy::ValidatedContent& content) {
  return std::visit(
      Overloaded{[](const therapy::TextMessage&) { return MessageKind::kText; },
                 [](const therapy::CheckIn&) { return MessageKind::kCheckIn; },
                 [](const therapy::CheckInSchedule&) { return MessageKind::kSchedule; },
                 [](const therapy::OfficeHours&) { return MessageKind::kOfficeHours; },
                 [](const therapy::CrisisResourceSet&) { return MessageKind::kCrisisResources; },
                 [](const therapy::Receipt&) { return MessageKind::kReceipt; }},
      content.body);
}

bool IsPersonMessage(MessageKind kind) {
  return kind == MessageKind::kText || kind == MessageKind::kCheckIn ||
         kind == MessageKind::kUnknown;
}

std::string ContentSummary(const therapy::ValidatedContent& content) {
  return std::visit(
      Overloaded{
          [](const therapy::TextMessage& t) {
            // Continuation lines are indented under the "time  name: " prefix.
            return ForTerminalLines(t.body, kContinuationIndent);
          },
          [](const therapy::CheckIn& c) { return "[" + therapy::SummarizeCheckIn(c) + "]"; },
          [](const therapy::CheckInSchedule& s) {
            return SanitizeForTerminal(DescribeSchedule(s));
          },
          [](const therapy::OfficeHours& h) { return SanitizeForTerminal(DescribeOfficeHours(h)); },
          [](const therapy::CrisisResourceSet& r) {
            return SanitizeForTerminal(DescribeResources(r));
          },
          [](const therapy::Receipt&) { return std::string("[delivery receipt]"); }},
      content.body);
}

std::string ContentSummary(ByteView content) {
  auto parsed = therapy::ParseContent(content);
  if (!parsed.ok()) return "[a message this version cannot show]";
  return ContentSummary(*parsed);
}

}  // namespace attune::client
