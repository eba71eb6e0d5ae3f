// `attune export`: a conversation's texts and check-ins (with scores) as
// JSON or CSV for the clinical record, and the parsers that read them back
// (used by the round-trip test and for re-import checks).
//
// Every field of HistoryEntry is written; scores and bands are written too
// but are derived, so the parsers recompute them and refuse a file whose
// written score disagrees (a sign of editing or corruption).
//
// CSV follows RFC 4180: CRLF line ends, a header row, fields containing
// comma, quote, CR or LF in double quotes with quotes doubled. Free-text
// cells (text, note) that start with = + - @ TAB CR or ' get a leading '
// so spreadsheets do not run them as formulas; the parser strips it.
#pragma once

#include <string>
#include <string_view>

#include "attune/base/result.h"
#include "attune/client/therapy/history.h"

namespace attune::therapy {

inline constexpr size_t kMaxExportBytes = size_t{64} * 1024 * 1024;

std::string ExportJson(const ConversationExport& conversation);
std::string ExportCsv(const ConversationExport& conversation);

// kInvalidArgument naming the row/field for malformed input, a bad value,
// or a written score that does not match the answers.
Result<ConversationExport> ParseJsonExport(std::string_view text);
// CSV carries no contact/role/exported_at header; those come back empty/0.
Result<std::vector<HistoryEntry>> ParseCsvExport(std::string_view text);

// RFC 4180 field quoting (exposed for tests).
std::string CsvField(std::string_view value);

}  // namespace attune::therapy
