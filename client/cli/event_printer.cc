#include "event_printer.h"

#include <iostream>

#include "attune/client/content_view.h"
#include "cli_context.h"
#include "time_format.h"

namespace attune::cli {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

void EventPrinter::OnEvent(const client::Event& event) {
  std::visit(
      Overloaded{
          [](const client::MessageReceived& e) {
            // Check-ins get their own line (CheckInReceived).
            if (e.kind == client::MessageKind::kCheckIn) return;
            std::cout << FormatTime(static_cast<uint64_t>(e.received_at)) << "  "
                      << client::SanitizeForTerminal(e.contact_name);
            if (!e.pending_replaces.empty()) {
              std::cout << " (UNCONFIRMED re-pairing of "
                        << client::SanitizeForTerminal(e.pending_replaces) << ")";
            }
            std::cout << ": " << e.summary << std::endl;
          },
          [](const client::CheckInReceived& e) {
            const std::string who = client::SanitizeForTerminal(e.contact_name);
            if (e.urgent) {
              std::cout << "!!! URGENT check-in from " << who << ": "
                        << client::SanitizeForTerminal(e.risk) << " (run `attune checkins "
                        << ShellWord(who) << "`, then `attune ack " << ShellWord(who) << "`)"
                        << std::endl;
            } else {
              std::cout << "Check-in from " << who << " filled in " << e.filled_at << std::endl;
            }
          },
          [](const client::MessagesDelivered&) {},
          [](const client::ContactChanged& e) {
            const std::string who = client::SanitizeForTerminal(e.contact_name);
            switch (e.change) {
              case client::ContactChanged::Change::kPaired:
                std::cout << "Paired with " << who << " (compare safety numbers: attune verify "
                          << ShellWord(who) << ")" << std::endl;
                break;
              case client::ContactChanged::Change::kIdentityChanged:
                std::cout << "WARNING: " << who
                          << "'s identity key changed; sending is disabled until you verify "
                             "again."
                          << std::endl;
                break;
              case client::ContactChanged::Change::kVerified:
                break;
              case client::ContactChanged::Change::kPracticeUpdated:
                std::cout << who << ": " << client::SanitizeForTerminal(e.description)
                          << " (see `attune practice " << ShellWord(who) << "`)" << std::endl;
                break;
              case client::ContactChanged::Change::kPendingExpired:
                std::cout << client::SanitizeForTerminal(e.description) << std::endl;
                break;
            }
          },
          [this](const client::ConnectionChanged& e) {
            if (!show_connection_) return;
            switch (e.state) {
              case client::ConnectionState::kConnecting:
                break;
              case client::ConnectionState::kConnected:
                std::cerr << "attune: connected to the relay " << e.relay << std::endl;
                break;
              case client::ConnectionState::kDisconnected:
                std::cerr << "attune: lost the relay " << e.relay
                          << (e.detail.empty() ? "" : " (" + e.detail + ")") << "; reconnecting"
                          << std::endl;
                break;
            }
          },
          [](const client::EngineError& e) {
            std::cerr << "attune: warning: " << client::SanitizeForTerminal(e.message) << std::endl;
          }},
      event);
}

}  // namespace attune::cli
