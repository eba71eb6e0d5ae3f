#include "attune/client/content_view.h"

#include <type_traits>
#include <variant>

#include "attune/therapy/content.h"

namespace attune::client {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::string SanitizeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back((c < 0x20 && c != '\t') || c == 0x7f ? '?' : ch);
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

std::string ContentSummary(ByteView content) {
  auto parsed = therapy::ParseContent(content);
  if (!parsed.ok()) return "[a message this version cannot show]";
  if (const auto* text = std::get_if<therapy::TextMessage>(&parsed->body)) {
    return SanitizeForTerminal(text->body);
  }
  if (const auto* check_in = std::get_if<therapy::CheckIn>(&parsed->body)) {
    return "[" + therapy::SummarizeCheckIn(*check_in) + "]";
  }
  return "[" + ContentKind(content) + "]";
}

}  // namespace attune::client
