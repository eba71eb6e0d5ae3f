// `attune export NAME --format json|csv`: texts and check-ins with scores,
// delivery and acknowledgement state (format: docs/design/therapy.md,
// "Export"). Called from client/cli/export_command.cc.
#pragma once

#include <ostream>
#include <string>

#include "cli_context.h"

namespace attune::cli {

// Throws CommandError for an unknown format or contact.
void WriteTherapyExport(CliContext& ctx, const std::string& name, const std::string& format,
                        std::ostream& out);

}  // namespace attune::cli
