#include "attune/client/content_view.h"

#include <type_traits>
#include <variant>

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

std::string ContentSummary(ByteView content) {
  auto parsed = therapy::ParseContent(content);
  if (!parsed.ok()) return "[a message this version cannot show]";
  if (const auto* text = std::get_if<therapy::TextMessage>(&parsed->body)) {
    // Continuation lines are indented under the "time  name: " prefix.
    return ForTerminalLines(text->body, kContinuationIndent);
  }
  if (const auto* check_in = std::get_if<therapy::CheckIn>(&parsed->body)) {
    return "[" + therapy::SummarizeCheckIn(*check_in) + "]";
  }
  return "[" + ContentKind(content) + "]";
}

}  // namespace attune::client
