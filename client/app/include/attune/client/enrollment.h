// The therapist's first run: the clinic's enrollment code (one string or
// file made by `attune-relay enrollment issue`) becomes the ClinicRelay that
// Engine::Create takes. The codec itself is core/mailbox's (enrollment.h),
// shared with the relay's encoder; this is the client's one entry point.
#pragma once

#include <string_view>

#include "attune/base/result.h"
#include "attune/client/account.h"

namespace attune::client {

// Accepts the code as pasted or as the whole content of the file (leading and
// trailing whitespace, line breaks inside ignored). Errors: kInvalidArgument
// (not a code, mistyped — "damaged or mistyped" — or a bad address),
// kUnsupportedVersion, kCryptoFailed (an invalid relay key). The text holds a
// secret: callers keep it in wiped memory and never log it.
Result<ClinicRelay> ParseEnrollmentCode(std::string_view text);

}  // namespace attune::client
