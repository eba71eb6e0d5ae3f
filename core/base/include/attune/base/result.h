// Errors are values: every fallible call in core/ returns a Status or a
// Result<T>. No exceptions cross the crypto or protocol layers.
//
// Messages are for humans and logs; they must never contain key material,
// plaintext or mailbox ids.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace attune {

enum class ErrorCode {
  kInvalidArgument,  // malformed input from a caller, a file or the network
  kAuthFailed,       // a MAC, AEAD tag or signature did not verify
  kCryptoFailed,     // a primitive refused its input (e.g. low-order point)
  kNotFound,
  kAlreadyExists,
  kExpired,
  kLimitExceeded,    // a bound from constants was hit
  kDuplicate,        // an at-least-once redelivery of something already seen
  kIdentityChanged,  // a known contact presented a different identity key
  kUnsupportedVersion,
  kIoError,
  kInternal,
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code{};
  std::string message{};

  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// Result<T> holds either a value or an Error. Access to the wrong
// alternative is a programming error (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_{};
};

// Status is a Result without a value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }
  std::string ToString() const { return ok() ? "OK" : error_->ToString(); }

 private:
  std::optional<Error> error_{};
};

}  // namespace attune

// Propagates an error from an expression yielding Status or Result<T>.
#define ATTUNE_RETURN_IF_ERROR(expr) \
  do {                               \
    auto attune_status_ = (expr);    \
    if (!attune_status_.ok()) {      \
      return attune_status_.error(); \
    }                                \
  } while (0)

#define ATTUNE_CONCAT_INNER_(a, b) a##b
#define ATTUNE_CONCAT_(a, b) ATTUNE_CONCAT_INNER_(a, b)

// ATTUNE_ASSIGN_OR_RETURN(auto x, Foo()); declares x from a Result.
#define ATTUNE_ASSIGN_OR_RETURN(lhs, expr) \
  ATTUNE_ASSIGN_OR_RETURN_IMPL_(ATTUNE_CONCAT_(attune_result_, __LINE__), lhs, expr)
#define ATTUNE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) {                                    \
    return tmp.error();                               \
  }                                                   \
  lhs = std::move(tmp).value()
