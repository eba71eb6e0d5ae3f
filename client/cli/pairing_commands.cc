// invite, accept, contacts, verify.
#include <iostream>
#include <sstream>

#include "attune/client/content_view.h"
#include "attune/client/engine.h"
#include "commands.h"
#include "passphrase.h"
#include "qr.h"
#include "time_format.h"

namespace attune::cli {
namespace {

struct InviteOptions {
  std::string name{};
  std::string replaces{};
  double days = 7;
  bool no_qr = false;
  bool large_qr = false;
};

struct AcceptOptions {
  std::string code{};
  std::string name{};
};

void RunInvite(CliContext& ctx, const InviteOptions& o) {
  if (!(o.days > 0 && o.days <= 30)) {
    throw CommandError("--days must be more than 0 and at most 30");
  }
  client::Engine& engine = ctx.Open();
  client::InviteRequest request{};
  if (!o.name.empty()) request.local_name = o.name;
  if (!o.replaces.empty()) request.replaces = o.replaces;
  request.lifetime_seconds = static_cast<uint64_t>(o.days * 86400);
  auto out = Take(engine.Invite(request));
  std::cout << "One-time invitation (valid until " << FormatTime(out.expires_at)
            << "). Give it to your client in person or over a channel you trust;\n"
               "anyone holding it can pair with you once.\n\n"
            << out.text << "\n\n";
  if (!o.no_qr) {
    // The QR code carries the same text without separators (fewer modules).
    std::string compact{};
    for (char ch : out.text) {
      if (ch != '-' || compact.size() < 7) compact.push_back(ch);
    }
    auto qr = o.large_qr ? RenderQr(compact) : RenderCompactQr(compact);
    if (qr.ok()) {
      std::cout << *qr << "\n";
      if (!o.large_qr) {
        std::cout << "(If your phone cannot read this code, widen the terminal and run "
                     "`attune invite --large-qr`, or type the text above.)\n";
      }
    }
  }
  std::cout << "The client runs: attune accept CODE   (or: attune accept - < file)\n";
}

void RunAccept(CliContext& ctx, const AcceptOptions& o) {
  std::string code{};
  if (o.code == "-") {
    std::ostringstream all{};
    all << std::cin.rdbuf();
    code = all.str();
    if (code.size() > 16384) throw CommandError("the invitation on standard input is too long");
  } else {
    code = o.code;
  }
  client::Engine& engine = ctx.Open();
  auto out =
      Take(engine.Accept(code, o.name.empty() ? std::nullopt : std::optional<std::string>(o.name)));
  if (!out.pending_replaces.empty()) {
    const std::string known = client::SanitizeForTerminal(out.pending_replaces);
    std::cout << "You already have a contact named " << known << ". This new pairing is kept as "
              << client::SanitizeForTerminal(out.contact_name) << " and replaces nothing until "
              << "you confirm it: compare safety numbers (attune verify "
              << ShellWord(out.contact_name) << "), then run attune verify "
              << ShellWord(out.contact_name) << " --confirm (or --decline to drop it). Until "
              << "then " << known << " stays as it is.\n";
    return;
  }
  std::cout << "Paired with " << out.contact_name << ".\n";
  if (out.identity_changed) {
    std::cout << "WARNING: " << out.contact_name
              << "'s identity key is different from before. Sending is disabled until you "
                 "compare safety numbers: attune verify "
              << ShellWord(out.contact_name) << "\n";
  }
  if (!out.delivered) {
    std::cout << "Your hello is queued (" << out.pending_reason << "); `attune sync` will retry.\n";
  }
  std::cout << "Compare safety numbers with them: attune verify " << ShellWord(out.contact_name)
            << "\n";
}

std::string ContactState(const client::ContactView& contact) {
  switch (contact.send_block) {
    case client::SendBlock::kIdentityChanged:
      return "IDENTITY KEY CHANGED - verify again";
    case client::SendBlock::kRollback:
      return "sending blocked (restored database) - pair again";
    case client::SendBlock::kPendingReplacement:
      return "PENDING re-pairing of " + client::SanitizeForTerminal(contact.replaces) +
             " - verify, then --confirm or --decline";
    case client::SendBlock::kDeclined:
      return "declined (a re-pairing nobody confirmed in time) - kept to read, cannot send";
    case client::SendBlock::kNone:
      break;
  }
  if (!contact.pending_replacement.empty()) {
    return std::string(contact.verified ? "verified" : "not verified") + "; a re-pairing (" +
           client::SanitizeForTerminal(contact.pending_replacement) + ") is pending";
  }
  return contact.verified ? "verified" : "not verified";
}

void RunContacts(CliContext& ctx) {
  client::Engine& engine = ctx.Open();
  auto contacts = Take(engine.Contacts());
  if (contacts.empty()) {
    std::cout << "No contacts yet.\n";
    return;
  }
  for (const auto& contact : contacts) {
    std::cout << client::SanitizeForTerminal(contact.name) << "  ("
              << client::SanitizeForTerminal(contact.display_name) << ")  "
              << ContactState(contact);
    if (contact.urgent_unacknowledged > 0) {
      std::cout << "  ! " << contact.urgent_unacknowledged << " URGENT";
    }
    if (contact.unread > 0) std::cout << "  " << contact.unread << " unread";
    std::cout << "\n";
  }
}

void RunVerify(CliContext& ctx, const std::string& name, bool confirm, bool decline) {
  client::Engine& engine = ctx.Open();
  if (decline) {
    Check(engine.DeclinePending(name));
    std::cout << "The pending re-pairing was dropped; " << client::SanitizeForTerminal(name)
              << " is unchanged.\n";
    return;
  }
  // With a re-pairing pending, the number to compare is the newcomer's.
  const client::ContactView view = Take(engine.Contact(name));
  const std::string& subject = view.pending_replacement.empty() ? name : view.pending_replacement;
  const client::Engine::SafetyNumberView number = Take(engine.SafetyNumber(subject));
  const std::string shown = client::SanitizeForTerminal(name);
  if (subject != name) {
    std::cout << "A re-pairing of " << shown << " is pending ("
              << client::SanitizeForTerminal(subject) << "); --confirm makes it " << shown << ".\n";
  }
  const std::string& d = number.digits;
  std::cout << "Safety number with " << shown << ":\n";
  for (size_t row = 0; row < 3; ++row) {
    std::cout << "  ";
    for (size_t g = 0; g < 4; ++g) {
      std::cout << d.substr((row * 4 + g) * 5, 5) << (g < 3 ? " " : "\n");
    }
  }
  if (number.identity_changed) {
    std::cout << "Their identity key CHANGED since you last paired or verified.\n";
  }
  if (!confirm) {
    std::cout << "Compare it with the number on their screen (in person or by phone). If every\n"
                 "digit matches: attune verify "
              << ShellWord(shown) << " --confirm\n";
    return;
  }
  Check(engine.MarkVerified(name));
  std::cout << shown << " is now verified.\n";
}

}  // namespace

void RegisterPairingCommands(CLI::App& app, CliContext& ctx) {
  auto inv = std::make_shared<InviteOptions>();
  CLI::App* invite = app.add_subcommand("invite", "Therapists: create a one-time invitation");
  invite->add_option("--name", inv->name,
                     "Local name for the client (default: the name they give)");
  invite->add_option("--replaces", inv->replaces,
                     "Pair an existing contact again (new device or restored database)");
  invite->add_option("--days", inv->days, "Days the invitation stays valid (default 7, max 30)");
  invite->add_flag("--no-qr", inv->no_qr, "Do not draw the QR code");
  invite->add_flag("--large-qr", inv->large_qr,
                   "Draw the QR code with two characters per module (needs a wide terminal)");
  invite->callback([&ctx, inv] { RunInvite(ctx, *inv); });

  auto acc = std::make_shared<AcceptOptions>();
  CLI::App* accept = app.add_subcommand(
      "accept", "Clients: pair using an invitation (CODE, or - to read it from standard input)");
  accept->add_option("code", acc->code, "The invitation text, or - for standard input")->required();
  accept->add_option("--name", acc->name, "Local name for the therapist (default: their name)");
  accept->callback([&ctx, acc] { RunAccept(ctx, *acc); });

  app.add_subcommand("contacts", "List contacts and whether they are verified")->callback([&ctx] {
    RunContacts(ctx);
  });

  auto ver_name = std::make_shared<std::string>();
  auto ver_confirm = std::make_shared<bool>(false);
  CLI::App* verify = app.add_subcommand("verify", "Show the safety number shared with a contact");
  verify->add_option("name", *ver_name, "Contact")->required();
  auto ver_decline = std::make_shared<bool>(false);
  verify->add_flag("--confirm", *ver_confirm,
                   "Mark the contact verified (numbers matched); confirms a pending re-pairing");
  verify->add_flag("--decline", *ver_decline, "Drop a pending re-pairing of the contact");
  verify->callback([&ctx, ver_name, ver_confirm, ver_decline] {
    RunVerify(ctx, *ver_name, *ver_confirm, *ver_decline);
  });
}

}  // namespace attune::cli
