#include "attune/mailbox/codes.h"

namespace attune::mailbox {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kUnspecified:
      return "unspecified";
    case Code::kOk:
      return "ok";
    case Code::kBadRequest:
      return "bad request";
    case Code::kUnauthorized:
      return "unauthorized";
    case Code::kNotFound:
      return "not found";
    case Code::kAlreadyExists:
      return "already exists";
    case Code::kQuotaExceeded:
      return "quota exceeded";
    case Code::kRateLimited:
      return "rate limited";
    case Code::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

}  // namespace attune::mailbox
