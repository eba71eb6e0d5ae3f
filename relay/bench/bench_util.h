// Small helpers shared by the bench modes.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/net/relay_connection.h"
#include "relay.pb.h"
#include "relay_process.h"

namespace attune::bench {

using Clock = std::chrono::steady_clock;

inline uint64_t NowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

inline void PutU64BE(uint8_t* out, uint64_t v) {
  for (int k = 0; k < 8; ++k) out[k] = static_cast<uint8_t>(v >> (56 - 8 * k));
}

// CPU time of this process (all threads), seconds.
inline double SelfCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The q-quantile (0..1) of `values` in place (nearest rank).
inline double Quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  const size_t k =
      std::min(values.size() - 1, static_cast<size_t>(q * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

struct BenchMailbox {
  net::MailboxId id{};
  crypto::Ed25519KeyPair owner{};
  crypto::SecretArray<32> capability{};
};

// Creates `n` mailboxes with the clinic credential over one blocking
// connection (setup, not measured).
inline Result<std::vector<BenchMailbox>> CreateMailboxes(const RelayTarget& target, size_t n) {
  auto& random = crypto::SystemRandom();
  ATTUNE_ASSIGN_OR_RETURN(auto connection, net::RelayConnection::Connect(
                                               target.endpoint, std::chrono::seconds(10), random));
  std::vector<BenchMailbox> out;
  for (size_t i = 0; i < n; ++i) {
    BenchMailbox m{random.Array<32>(), crypto::GenerateEd25519KeyPair(random), random.Secret<32>()};
    ATTUNE_RETURN_IF_ERROR(connection->CreateMailbox(
        m.id, m.owner.public_key, net::ComputeSendCapabilityHash(m.capability.span()),
        net::CreateAuthorization::Credential(target.credential.span())));
    out.push_back(std::move(m));
  }
  return out;
}

// Reusable protobuf encoders for the hot path (no per-message allocation of
// locked memory: the bench's capabilities are throwaway test values).
class FrameEncoder {
 public:
  ByteView Send(uint64_t request_id, const BenchMailbox& m, ByteView blob) {
    frame_.Clear();
    frame_.set_request_id(request_id);
    auto* s = frame_.mutable_send();
    s->set_mailbox_id(m.id.data(), m.id.size());
    s->set_send_capability(m.capability.data(), m.capability.size());
    s->set_blob(blob.data(), blob.size());
    return Serialize();
  }
  ByteView Ack(uint64_t request_id, const net::MailboxId& id, uint64_t message_id) {
    frame_.Clear();
    frame_.set_request_id(request_id);
    frame_.mutable_ack()->set_mailbox_id(id.data(), id.size());
    frame_.mutable_ack()->set_message_id(message_id);
    return Serialize();
  }

 private:
  ByteView Serialize() {
    buffer_.resize(frame_.ByteSizeLong());
    frame_.SerializeWithCachedSizesToArray(buffer_.data());
    return buffer_;
  }
  relay::v1::ClientFrame frame_{};
  Bytes buffer_{};
};

inline void PrintRelayStats(const char* label, const RelayTarget& target) {
  if (auto s = ReadProcessStats(target.pid)) {
    std::printf("%-28s RSS %llu KiB (peak %llu KiB)\n", label,
                static_cast<unsigned long long>(s->rss_kib),
                static_cast<unsigned long long>(s->hwm_kib));
  }
}

}  // namespace attune::bench
