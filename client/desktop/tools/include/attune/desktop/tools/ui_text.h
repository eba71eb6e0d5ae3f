// Small presentation helpers shared by the tools' widgets: engine strings
// and errors to Qt text, times in the user's locale, accessible names.
#pragma once

#include <QString>
#include <QWidget>
#include <cstdint>
#include <string_view>

#include "attune/base/result.h"

namespace attune::desktop::tools {

inline QString ToQ(std::string_view s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// The engine's error message as one sentence for a person: capitalised,
// with a full stop (the engine's messages are clauses, as the CLI prints).
QString ErrorSentence(const Error& error);
QString AsSentence(const QString& message);

// A unix time in the user's locale and zone, e.g. "12/1/26 2:05 PM".
QString LocalTime(int64_t unix_seconds);

// Sets the accessible name (and description, if given) of `widget`.
void Accessible(QWidget* widget, const QString& name, const QString& description = {});

// Whether `widget`'s palette is a dark one (light text on a dark window).
bool IsDark(const QWidget& widget);

}  // namespace attune::desktop::tools
