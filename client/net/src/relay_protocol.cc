#include "attune/net/relay_protocol.h"

#include <string>

namespace attune::net {

Error RelayCodeToError(RelayCode code, std::string_view relay_message) {
  std::string message = std::string("relay: ") + mailbox::CodeName(code);
  if (!relay_message.empty()) {
    message += ": ";
    message += relay_message;
  }
  switch (code) {
    case RelayCode::kBadRequest:
      return MakeError(ErrorCode::kInvalidArgument, std::move(message));
    case RelayCode::kUnauthorized:
      return MakeError(ErrorCode::kAuthFailed, std::move(message));
    case RelayCode::kNotFound:
      return MakeError(ErrorCode::kNotFound, std::move(message));
    case RelayCode::kAlreadyExists:
      return MakeError(ErrorCode::kAlreadyExists, std::move(message));
    case RelayCode::kQuotaExceeded:
      return MakeError(ErrorCode::kLimitExceeded, std::move(message));
    case RelayCode::kOk:
      return MakeError(ErrorCode::kInternal, std::move(message));
    case RelayCode::kRateLimited:
    case RelayCode::kUnavailable:
    case RelayCode::kUnspecified:
      break;
  }
  return MakeError(ErrorCode::kIoError, std::move(message));
}

bool IsRetryable(const Error& error) { return error.code == ErrorCode::kIoError; }

}  // namespace attune::net
