// export NAME: the conversation with one contact as JSON, for the clinical
// record (format in docs/protocol/client.md, "Export").
#include <iostream>
#include <nlohmann/json.hpp>

#include "attune/base/bytes.h"
#include "attune/client/content_view.h"
#include "attune/client/store/records.h"
#include "attune/therapy/content.h"
#include "commands.h"
#include "time_format.h"

namespace attune::cli {
namespace {

nlohmann::json MessageJson(const client::store::MessageRecord& m) {
  nlohmann::json j;
  const bool out = m.direction == client::store::Direction::kOutgoing;
  j["direction"] = out ? "out" : "in";
  j["at"] = FormatIsoUtc(static_cast<uint64_t>(m.created_at));
  j["kind"] = client::ContentKind(m.content);
  auto parsed = therapy::ParseContent(m.content);
  if (parsed.ok()) {
    j["message_id"] = ToHex(parsed->message_id);
    j["sent_at"] = FormatIsoUtc(parsed->sent_at);
    if (const auto* text = std::get_if<therapy::TextMessage>(&parsed->body)) j["text"] = text->body;
  }
  if (out) j["delivered_to_relay"] = m.sent;
  return j;
}

}  // namespace

void RegisterExportCommands(CLI::App& app, CliContext& ctx) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write the conversation with a contact to standard output as JSON");
  cmd->add_option("name", *name, "Contact")->required();
  cmd->callback([&ctx, name] {
    client::Context& c = ctx.Open();
    client::store::Contact contact = Take(client::store::GetContactByName(c.db(), *name));
    auto messages = Take(client::store::ListMessages(c.db(), contact.id));
    nlohmann::json doc;
    doc["format"] = "attune-export-1";
    doc["contact"] = {{"name", contact.name},
                      {"display_name", contact.display_name},
                      {"verified", contact.verified}};
    doc["messages"] = nlohmann::json::array();
    for (const auto& m : messages) doc["messages"].push_back(MessageJson(m));
    // Invalid UTF-8 from a peer is replaced rather than aborting the export.
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  });
}

}  // namespace attune::cli
