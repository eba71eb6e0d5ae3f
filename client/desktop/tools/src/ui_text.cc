#include "attune/desktop/tools/ui_text.h"

#include <QDateTime>
#include <QLocale>
#include <QPalette>

namespace attune::desktop::tools {

QString ErrorSentence(const Error& error) { return AsSentence(ToQ(error.message)); }

QString AsSentence(const QString& message) {
  QString text = message.trimmed();
  if (text.isEmpty()) return QObject::tr("Something went wrong.");
  if (!text.endsWith(u'.') && !text.endsWith(u'!') && !text.endsWith(u'?')) text += u'.';
  text[0] = text[0].toUpper();
  return text;
}

QString LocalTime(int64_t unix_seconds) {
  return QLocale().toString(QDateTime::fromSecsSinceEpoch(unix_seconds), QLocale::ShortFormat);
}

void Accessible(QWidget* widget, const QString& name, const QString& description) {
  widget->setAccessibleName(name);
  if (!description.isEmpty()) widget->setAccessibleDescription(description);
}

bool IsDark(const QWidget& widget) {
  const QPalette& p = widget.palette();
  return p.color(QPalette::Window).lightness() < p.color(QPalette::WindowText).lightness();
}

}  // namespace attune::desktop::tools
