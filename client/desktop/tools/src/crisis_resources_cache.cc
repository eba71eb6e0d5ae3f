#include "attune/desktop/tools/crisis_resources_cache.h"

#include "attune/desktop/tools/ui_text.h"

namespace attune::desktop::tools {

CrisisResourcesCache& CrisisResourcesCache::For(EngineRunner& runner) {
  auto* cache = runner.findChild<CrisisResourcesCache*>(QString(), Qt::FindDirectChildrenOnly);
  if (cache == nullptr) cache = new CrisisResourcesCache(runner);  // owned by the runner
  return *cache;
}

CrisisResourcesCache::CrisisResourcesCache(EngineRunner& runner)
    : QObject(&runner), runner_(runner) {
  connect(&runner_, &EngineRunner::engineEvent, this, [this](const client::Event& event) {
    const auto* c = std::get_if<client::ContactChanged>(&event);
    if (c != nullptr && c->change == client::ContactChanged::Change::kPracticeUpdated) {
      Refresh(ToQ(c->contact_name));
    }
  });
}

const client::PracticeInfo* CrisisResourcesCache::Find(const QString& therapist) const {
  auto it = info_.constFind(therapist);
  return it == info_.constEnd() ? nullptr : &*it;
}

void CrisisResourcesCache::Refresh(const QString& therapist) {
  const std::string name = therapist.toStdString();
  runner_.Run(
      this, [name](client::Engine& engine) { return engine.PracticeInfoFor(name); },
      [this, therapist](Result<client::PracticeInfo> info) {
        if (!info.ok()) return;  // the shown set stays (the default until one is read)
        info_.insert(therapist, std::move(info).value());
        emit updated(therapist);
      });
}

QString ResourcesText(const client::PracticeInfo* info) {
  if (info == nullptr) {
    // Not read yet (the worker is busy): the standard set at once, said so.
    const therapy::CrisisResourceSet& set = therapy::DefaultUsCrisisResources();
    return ToQ(client::DangerLine(set)) + u'\n' + ToQ(therapy::FormatCrisisResources(set)) +
           QObject::tr("(Standard US crisis resources; your clinic's own list is loading.)");
  }
  return (ToQ(client::DangerLine(info->resources)) + u'\n' +
          ToQ(client::FormatResourcesForPerson(info->resources, info->resource_source)))
      .trimmed();
}

}  // namespace attune::desktop::tools
