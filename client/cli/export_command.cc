// export NAME [--format json|csv]: the conversation with one contact — texts
// and check-ins with scores, delivery and acknowledgement state — for the
// clinical record. The format (docs/design/therapy.md, "Export") is written
// and parsed back by attune_client_therapy; the engine builds the data.
#include <iostream>

#include "attune/client/therapy/export.h"
#include "commands.h"

namespace attune::cli {

void RegisterExportCommands(CLI::App& app, CliContext& ctx) {
  auto name = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("json");
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Write the conversation with a contact (messages and check-ins with scores) to "
      "standard output as JSON or CSV");
  cmd->add_option("name", *name, "Contact")->required();
  cmd->add_option("--format", *format, "json (default) or csv")
      ->check(CLI::IsMember({"json", "csv"}));
  cmd->callback([&ctx, name, format] {
    const therapy::ConversationExport conversation = Take(ctx.Open().ExportConversation(*name));
    std::cout << (*format == "json" ? therapy::ExportJson(conversation)
                                    : therapy::ExportCsv(conversation));
  });
}

}  // namespace attune::cli
