// send, inbox, history.
#include <iostream>
#include <sstream>

#include "attune/client/content_view.h"
#include "attune/client/engine.h"
#include "commands.h"
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

void ReportQueued(const std::string& reason, const std::string& name) {
  std::cout << "Queued for " << client::SanitizeForTerminal(name) << " ("
            << (reason.empty() ? "relay not reachable" : reason)
            << "); `attune sync` will send it.\n";
}

void RunSend(CliContext& ctx, const SendOptions& o) {
  client::Engine& engine = ctx.Open();
  if (o.stdin_lines) {
    if (!o.text.empty()) throw CommandError("give TEXT or --stdin-lines, not both");
    // One message per line; each is committed and uploaded before the next
    // is read, so an interrupted batch leaves a clean prefix.
    std::string line{};
    size_t count = 0;
    client::SendResult last{};
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      if (++count > kMaxStdinLines) throw CommandError("more than 10000 lines");
      last = Take(engine.SendText(o.name, line));
      if (o.progress) std::cout << "progress " << count << std::endl;
    }
    std::cout << "Sent " << count << " message(s) to " << client::SanitizeForTerminal(o.name)
              << ".\n";
    if (count > 0 && !last.uploaded) ReportQueued(last.pending_reason, o.name);
    return;
  }
  std::string text = o.text;
  if (text == "-") {
    std::ostringstream all{};
    all << std::cin.rdbuf();
    text = all.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
  }
  if (text.empty()) {
    throw CommandError("nothing to send (give TEXT, - for stdin, or --stdin-lines)");
  }
  const client::SendResult result = Take(engine.SendText(o.name, text));
  // Clients: expected reply time and crisis resources at the start of a
  // conversation; the local auto-reply outside office hours.
  std::cout << result.notice;
  if (result.uploaded) {
    std::cout << "Sent to " << client::SanitizeForTerminal(o.name) << ".\n";
  } else {
    ReportQueued(result.pending_reason, o.name);
  }
}

void RunInbox(CliContext& ctx, bool keep_unread) {
  client::Engine& engine = ctx.Open();
  // Urgent, unacknowledged check-ins first, all of them; receipts and
  // practice updates are not listed.
  const auto items = Take(engine.Inbox(kInboxLimit, !keep_unread));
  if (items.empty()) {
    std::cout << "No messages.\n";
    return;
  }
  for (const client::InboxItem& m : items) {
    std::cout << (m.urgent ? "! URGENT " : "") << (m.read ? "  " : "* ")
              << FormatTime(static_cast<uint64_t>(m.received_at)) << "  "
              << client::SanitizeForTerminal(m.contact_name) << ": " << m.summary << "\n";
  }
}

const char* StatusSuffix(client::HistoryItem::Status status) {
  switch (status) {
    case client::HistoryItem::Status::kQueued:
      return "  (queued)";
    case client::HistoryItem::Status::kDelivered:
      return "  (delivered)";
    case client::HistoryItem::Status::kSent:
    case client::HistoryItem::Status::kNone:
      break;
  }
  return "";
}

void RunHistory(CliContext& ctx, const std::string& name) {
  client::Engine& engine = ctx.Open();
  const auto items = Take(engine.History(name));
  const std::string shown = client::SanitizeForTerminal(name);
  // "delivered": the peer's device stored it; never whether anyone read it.
  for (const client::HistoryItem& m : items) {
    std::cout << FormatTime(static_cast<uint64_t>(m.created_at)) << "  "
              << (m.outgoing ? std::string("you") : shown) << ": " << m.summary
              << StatusSuffix(m.status) << "\n";
  }
  if (items.empty()) std::cout << "No messages with " << shown << " yet.\n";
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
