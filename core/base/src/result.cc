#include "attune/base/result.h"

namespace attune {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kAuthFailed:
      return "authentication failed";
    case ErrorCode::kCryptoFailed:
      return "cryptographic operation failed";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kAlreadyExists:
      return "already exists";
    case ErrorCode::kExpired:
      return "expired";
    case ErrorCode::kLimitExceeded:
      return "limit exceeded";
    case ErrorCode::kDuplicate:
      return "duplicate";
    case ErrorCode::kIdentityChanged:
      return "identity changed";
    case ErrorCode::kUnsupportedVersion:
      return "unsupported version";
    case ErrorCode::kIoError:
      return "I/O error";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown error";
}

std::string Error::ToString() const {
  std::string s = ErrorCodeName(code);
  if (!message.empty()) {
    s += ": ";
    s += message;
  }
  return s;
}

}  // namespace attune
