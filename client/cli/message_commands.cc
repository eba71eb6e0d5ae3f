// send, inbox, history.
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "attune/client/content_view.h"
#include "attune/client/messaging.h"
#include "attune/client/store/records.h"
#include "commands.h"
#include "therapy_state.h"
#include "time_format.h"

namespace attune::cli {
namespace {

constexpr size_t kInboxLimit = 200;
constexpr size_t kMaxStdinLines = 10000;

struct SendOptions {
  std::string name{};
  std::string text{};
  bool stdin_lines = false;
  bool progress = false;
};

void ReportFlush(const client::FlushReport& report, const std::string& name) {
  if (report.pending == 0 && report.last_error.empty()) return;
  std::cout << "Queued for " << name << " (relay: " << report.last_error
            << "); `attune sync` will send it.\n";
}

void RunSend(CliContext& ctx, const SendOptions& o) {
  client::Context& c = ctx.Open();
  client::RelayPool pool(c.random);
  if (o.stdin_lines) {
    if (!o.text.empty()) throw CommandError("give TEXT or --stdin-lines, not both");
    // One message per line; each is committed and uploaded before the next
    // is read, so an interrupted batch leaves a clean prefix.
    std::string line;
    size_t count = 0;
    client::FlushReport last;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      if (++count > kMaxStdinLines) throw CommandError("more than 10000 lines");
      Take(client::QueueText(c, o.name, line));
      last = client::FlushOutbox(c, pool);
      if (o.progress) std::cout << "progress " << count << std::endl;
    }
    std::cout << "Sent " << count << " message(s) to " << o.name << ".\n";
    ReportFlush(last, o.name);
    return;
  }
  std::string text = o.text;
  if (text == "-") {
    std::ostringstream all;
    all << std::cin.rdbuf();
    text = all.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
  }
  if (text.empty())
    throw CommandError("nothing to send (give TEXT, - for stdin, or --stdin-lines)");
  Take(client::QueueText(c, o.name, text));
  // Clients: expected reply time and crisis resources at the start of a
  // conversation; the local auto-reply outside office hours.
  std::cout << SendNotice(c, o.name);
  client::FlushReport report = client::FlushOutbox(c, pool);
  if (report.pending == 0 && report.last_error.empty()) {
    std::cout << "Sent to " << o.name << ".\n";
  } else {
    ReportFlush(report, o.name);
  }
}

void RunInbox(CliContext& ctx, bool keep_unread) {
  client::Context& c = ctx.Open();
  // Everything, so that the limit applies after urgent check-ins moved first.
  auto messages = Take(client::store::ListInbox(c.db(), client::store::kNoLimit));
  // Urgent, unacknowledged check-ins first; receipts are not listed.
  const std::set<int64_t> urgent = Take(PrepareInbox(c, messages, kInboxLimit));
  if (messages.empty()) {
    std::cout << "No messages.\n";
    return;
  }
  std::map<int64_t, std::string> names;
  for (const auto& m : messages) {
    if (!names.count(m.contact_id)) {
      auto contact = client::store::GetContact(c.db(), m.contact_id);
      names[m.contact_id] = contact.ok() ? client::SanitizeForTerminal(contact->name) : "?";
    }
    std::cout << (urgent.count(m.id) ? "! URGENT " : "") << (m.read ? "  " : "* ")
              << FormatTime(static_cast<uint64_t>(m.created_at)) << "  " << names[m.contact_id]
              << ": " << client::ContentSummary(m.content) << "\n";
  }
  if (keep_unread) return;
  auto tx = Take(client::store::Transaction::Begin(c.db()));
  for (const auto& m : messages) {
    if (!m.read) Check(client::store::MarkRead(c.db(), m.id));
  }
  Check(tx.Commit());
}

void RunHistory(CliContext& ctx, const std::string& name) {
  client::Context& c = ctx.Open();
  client::store::Contact contact = Take(client::store::GetContactByName(c.db(), name));
  auto messages = Take(client::store::ListMessages(c.db(), contact.id));
  const std::string shown = client::SanitizeForTerminal(contact.name);
  // Sent messages a delivery receipt confirmed (the peer's device stored
  // them; never whether anyone read them).
  const std::set<int64_t> delivered = Take(DeliveredRows(c, contact.id));
  for (const auto& m : messages) {
    // Delivery receipts are bookkeeping, not conversation.
    if (client::ContentKind(m.content) == "receipt") continue;
    const bool out = m.direction == client::store::Direction::kOutgoing;
    std::cout << FormatTime(static_cast<uint64_t>(m.created_at)) << "  "
              << (out ? std::string("you") : shown) << ": "
              << client::ContentSummary(m.content)
              // A receipt proves delivery whatever the local sent flag says.
              << (out && delivered.count(m.id) ? "  (delivered)"
                  : out && !m.sent             ? "  (queued)"
                                               : "")
              << "\n";
  }
  if (messages.empty()) std::cout << "No messages with " << shown << " yet.\n";
}

}  // namespace

void RegisterMessageCommands(CLI::App& app, CliContext& ctx) {
  auto so = std::make_shared<SendOptions>();
  CLI::App* send =
      app.add_subcommand("send", "Send a message (TEXT, - for stdin, or --stdin-lines)");
  send->add_option("name", so->name, "Contact")->required();
  send->add_option("text", so->text,
                   "The message. Note: command-line arguments are visible to other local users "
                   "(ps); use - to read it from standard input");
  send->add_flag("--stdin-lines", so->stdin_lines, "Send each line of standard input as a message");
  send->add_flag("--progress", so->progress, "With --stdin-lines: print \"progress N\" per message")
      ->group("");  // for scripts and tests
  send->callback([&ctx, so] { RunSend(ctx, *so); });

  auto keep = std::make_shared<bool>(false);
  CLI::App* inbox = app.add_subcommand("inbox", "Received messages, unread first (* = new)");
  inbox->add_flag("--keep-unread", *keep, "Do not mark the listed messages read");
  inbox->callback([&ctx, keep] { RunInbox(ctx, *keep); });

  auto hist_name = std::make_shared<std::string>();
  CLI::App* history = app.add_subcommand("history", "The conversation with one contact");
  history->add_option("name", *hist_name, "Contact")->required();
  history->callback([&ctx, hist_name] { RunHistory(ctx, *hist_name); });
}

}  // namespace attune::cli
