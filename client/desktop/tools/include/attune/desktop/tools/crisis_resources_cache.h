// The crisis resources last read for each therapist, held on the GUI
// thread so a resources window opens at once — even while the engine's
// worker is busy waiting on an unreachable relay. Reading them never needs
// the relay (Engine::PracticeInfoFor reads the local profile); the cache
// refreshes itself when a therapist's practice settings change.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include "attune/client/practice.h"
#include "attune/desktop/engine_runner.h"

namespace attune::desktop::tools {

class CrisisResourcesCache : public QObject {
  Q_OBJECT

 public:
  // The runner's cache (a child of the runner, made on first use).
  static CrisisResourcesCache& For(EngineRunner& runner);

  // nullptr until the first read for `therapist` finished.
  const client::PracticeInfo* Find(const QString& therapist) const;
  // Reads again on the runner's worker; `updated` follows.
  void Refresh(const QString& therapist);

 signals:
  void updated(const QString& therapist);

 private:
  explicit CrisisResourcesCache(EngineRunner& runner);

  EngineRunner& runner_;
  QHash<QString, client::PracticeInfo> info_{};
};

// The resources as text for a person, in the engine's words: the danger
// line, one line per resource, and which set this is. nullptr (not read
// yet): the standard US set, saying the clinic's own list is loading.
QString ResourcesText(const client::PracticeInfo* info);

}  // namespace attune::desktop::tools
