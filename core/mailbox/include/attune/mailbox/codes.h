// The relay's answer codes (relay.proto Response.Code), independent of the
// generated protobuf header so that callers need not include it. The values
// are the protobuf enum's numbers.
#pragma once

namespace attune::mailbox {

enum class Code {
  kUnspecified = 0,  // never sent; a frame carrying it is refused when parsed
  kOk = 1,
  kBadRequest = 2,
  kUnauthorized = 3,
  kNotFound = 4,
  kAlreadyExists = 5,
  kQuotaExceeded = 6,
  kRateLimited = 7,
  kUnavailable = 8,
};

// Lower-case name for messages and logs ("quota exceeded").
const char* CodeName(Code code);

}  // namespace attune::mailbox
