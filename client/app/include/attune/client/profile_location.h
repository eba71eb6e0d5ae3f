// Where a profile lives when the person does not say: the one default every
// front end (the CLI, the desktop app) shares, so both open the same profile.
#pragma once

#include <string>

#include "attune/base/result.h"

namespace attune::client {

// $XDG_DATA_HOME/attune when XDG_DATA_HOME is an absolute path, else
// $HOME/.local/share/attune. kNotFound when neither is usable (the front end
// then asks for --profile DIR).
Result<std::string> DefaultProfileDir();

}  // namespace attune::client
