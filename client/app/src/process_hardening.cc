#include "attune/client/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace attune::client {

void DisableCoreDumps() {
  struct rlimit none {};
  none.rlim_cur = 0;
  none.rlim_max = 0;
  (void)::setrlimit(RLIMIT_CORE, &none);
  // Also stops a core_pattern pipe handler (which ignores RLIMIT_CORE) and
  // makes /proc/<pid>/mem unreadable to other processes of the same user.
  (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

bool CoreDumpsDisabled() {
  struct rlimit current {};
  if (::getrlimit(RLIMIT_CORE, &current) != 0) return false;
  return current.rlim_cur == 0 && current.rlim_max == 0 &&
         ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
}

}  // namespace attune::client
