// Exports of one conversation's check-ins for the clinical record: CSV and
// JSON exactly as `attune export` writes them (client/therapy's
// ExportCsv/ExportJson — one implementation), and a printable PDF record
// (QPdfWriter) with the instruments' attribution.
//
// Threads: these write files (and QSaveFile syncs them), so the views call
// them on the engine runner's worker, never on the GUI thread. They touch
// no widget. Errors: kIoError naming the file; nothing is left half-written
// (QSaveFile commits by rename).
#pragma once

#include <QString>
#include <QTextDocument>
#include <memory>

#include "attune/base/result.h"
#include "attune/client/therapy/history.h"

namespace attune::desktop::tools {

Status WriteCsvExport(const QString& path, const therapy::ConversationExport& conversation);
Status WriteJsonExport(const QString& path, const therapy::ConversationExport& conversation);

// The printable record: title, client, export time, a table of the
// check-ins (scores with bands, urgent reasons and their acknowledgement)
// and the instrument attribution. Shared by the PDF and its test.
std::unique_ptr<QTextDocument> BuildRecordDocument(const therapy::ConversationExport& conversation);
Status WritePdfRecord(const QString& path, const therapy::ConversationExport& conversation);

}  // namespace attune::desktop::tools
