// Shared helpers for the relay integration tests.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "attune/crypto/aead.h"
#include "attune/crypto/ed25519.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/net/relay_connection.h"
#include "relay_under_test.h"

namespace attune::testing {

// What a mailbox owner keeps: the id, the owner key, and the capability it
// hands to senders. The relay only ever sees the capability's hash.
struct TestMailbox {
  net::MailboxId id{};
  crypto::Ed25519KeyPair owner{};
  crypto::SecretArray<32> capability{};
};

inline TestMailbox NewMailboxKeys() {
  auto& random = crypto::SystemRandom();
  return TestMailbox{random.Array<32>(), crypto::GenerateEd25519KeyPair(random),
                     random.Secret<32>()};
}

inline Status CreateWithCredential(net::RelayConnection& connection, const TestMailbox& mailbox,
                                   const crypto::SecretArray<32>& credential) {
  return connection.CreateMailbox(mailbox.id, mailbox.owner.public_key,
                                  net::ComputeSendCapabilityHash(mailbox.capability.span()),
                                  net::CreateAuthorization::Credential(credential.span()));
}

// The tests' stand-in for the end-to-end message layer: blobs are sealed
// with XChaCha20-Poly1305 under a key the relay never sees, so the relay
// stores only ciphertext and any corruption shows up as a failed Open.
class E2eSealer {
 public:
  E2eSealer() : key_(crypto::SystemRandom().Secret<32>()) {}

  Bytes Seal(ByteView plaintext) const {
    const auto nonce = crypto::SystemRandom().Array<crypto::kXChaChaNonceSize>();
    Bytes out(nonce.begin(), nonce.end());
    Append(out, crypto::XChaChaSeal(key_.span(), nonce, {}, plaintext));
    return out;
  }
  Result<Bytes> Open(ByteView blob) const {
    if (blob.size() < crypto::kXChaChaNonceSize) {
      return MakeError(ErrorCode::kInvalidArgument, "short blob");
    }
    return crypto::XChaChaOpen(
        key_.span(),
        crypto::ConstSpan<crypto::kXChaChaNonceSize>(blob.data(), crypto::kXChaChaNonceSize), {},
        blob.subspan(crypto::kXChaChaNonceSize));
  }

 private:
  crypto::SecretArray<32> key_{};
};

// Connects or fails the test.
#define ATTUNE_CONNECT_OR_FAIL(var, relay)                           \
  auto var##_result = (relay).Connect();                             \
  ASSERT_TRUE(var##_result.ok()) << var##_result.error().ToString(); \
  std::unique_ptr<net::RelayConnection> var = std::move(var##_result).value()

#define ATTUNE_ASSERT_OK(expr)                                   \
  do {                                                           \
    auto attune_s_ = (expr);                                     \
    ASSERT_TRUE(attune_s_.ok()) << attune_s_.error().ToString(); \
  } while (0)

// Drains deliveries until none arrives for `quiet` (bounded by `max`).
inline std::vector<net::Delivery> DrainDeliveries(net::RelayConnection& connection,
                                                  std::chrono::milliseconds quiet,
                                                  size_t max = 100000) {
  std::vector<net::Delivery> out;
  while (out.size() < max) {
    auto d = connection.NextDelivery(quiet);
    if (!d.ok() || !d->has_value()) break;
    out.push_back(std::move(**d));
  }
  return out;
}

}  // namespace attune::testing

namespace attune::testing {

// Receives exactly `n` deliveries within `timeout` (fewer on timeout/error).
inline std::vector<net::Delivery> ReceiveN(net::RelayConnection& connection, size_t n,
                                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<net::Delivery> out;
  while (out.size() < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto d = connection.NextDelivery(left);
    if (!d.ok() || !d->has_value()) break;
    out.push_back(std::move(**d));
  }
  return out;
}

}  // namespace attune::testing
