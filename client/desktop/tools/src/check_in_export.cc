#include "attune/desktop/tools/check_in_export.h"

#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QStringBuilder>

#include "attune/client/check_ins.h"
#include "attune/client/therapy/export.h"
#include "attune/desktop/tools/check_in_table_model.h"
#include "attune/desktop/tools/ui_text.h"
#include "attune/therapy/instrument.h"

namespace attune::desktop::tools {
namespace {

Status WriteAll(const QString& path, const QByteArray& bytes) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
    return MakeError(ErrorCode::kIoError, "Could not write " + path.toStdString() + ": " +
                                              file.errorString().toStdString());
  }
  return Status::Ok();
}

QString Cell(const QString& text, const char* tag = "td") {
  return QStringLiteral("<%1>%2</%1>").arg(QLatin1String(tag), text.toHtmlEscaped());
}

}  // namespace

Status WriteCsvExport(const QString& path, const therapy::ConversationExport& conversation) {
  return WriteAll(path, QByteArray::fromStdString(therapy::ExportCsv(conversation)));
}

Status WriteJsonExport(const QString& path, const therapy::ConversationExport& conversation) {
  return WriteAll(path, QByteArray::fromStdString(therapy::ExportJson(conversation)));
}

std::unique_ptr<QTextDocument> BuildRecordDocument(
    const therapy::ConversationExport& conversation) {
  const std::vector<client::CheckInRecord> records = client::CheckInRecords(conversation);
  QString html =
      QStringLiteral("<h1>%1</h1>")
          .arg(QObject::tr("Check-in record: %1").arg(ToQ(conversation.contact)).toHtmlEscaped());
  html += QStringLiteral("<p>%1</p>")
              .arg(QObject::tr("Exported %1 from Attune. %2 check-ins, newest first.")
                       .arg(LocalTime(conversation.exported_at))
                       .arg(records.size())
                       .toHtmlEscaped());
  html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\"><tr>");
  for (int c = 0; c < CheckInTableModel::kColumnCount; ++c) {
    html += Cell(CheckInTableModel::ColumnTitle(c), "th");
  }
  html += QStringLiteral("</tr>");
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    html += QStringLiteral("<tr>");
    for (int c = 0; c < CheckInTableModel::kColumnCount; ++c) {
      html += Cell(CheckInTableModel::CellText(*it, c));
    }
    html += QStringLiteral("</tr>");
  }
  html += QStringLiteral("</table>");
  html += QStringLiteral("<h2>%1</h2><p>%2</p><p>%3</p>")
              .arg(QObject::tr("Instruments").toHtmlEscaped(),
                   QStringLiteral("%1 (%2); %3 (%4).")
                       .arg(ToQ(therapy::GetInstrument(therapy::InstrumentId::kPhq9).title),
                            ToQ(therapy::GetInstrument(therapy::InstrumentId::kPhq9).short_name),
                            ToQ(therapy::GetInstrument(therapy::InstrumentId::kGad7).title),
                            ToQ(therapy::GetInstrument(therapy::InstrumentId::kGad7).short_name))
                       .toHtmlEscaped(),
                   ToQ(therapy::kPhqGadAttribution).toHtmlEscaped());
  auto doc = std::make_unique<QTextDocument>();
  doc->setHtml(html);
  return doc;
}

Status WritePdfRecord(const QString& path, const therapy::ConversationExport& conversation) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    return MakeError(ErrorCode::kIoError, "Could not write " + path.toStdString() + ": " +
                                              file.errorString().toStdString());
  }
  {
    QPdfWriter writer(&file);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setTitle(QObject::tr("Check-in record: %1").arg(ToQ(conversation.contact)));
    writer.setCreator(QStringLiteral("Attune"));
    std::unique_ptr<QTextDocument> doc = BuildRecordDocument(conversation);
    doc->print(&writer);
  }
  if (!file.commit()) {
    return MakeError(ErrorCode::kIoError, "Could not write " + path.toStdString() + ": " +
                                              file.errorString().toStdString());
  }
  return Status::Ok();
}

}  // namespace attune::desktop::tools
