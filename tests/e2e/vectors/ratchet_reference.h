// A deliberately plain Double Ratchet key schedule with header encryption,
// written from the Signal specification (section 4) and
// docs/PROTOCOL.md (part ratchet) for the test-vector tool only. It shares nothing
// with Session except the documented building blocks (KdfRk, KdfCk,
// DeriveMessageAeadKey, Pad/Unpad), and it records every intermediate key
// as JSON. No bounds, no state rollback: it only ever sees honest messages.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/ratchet.h"

namespace attune::e2e::vectors {

using Json = nlohmann::ordered_json;

class ReferenceRatchet {
 public:
  // RatchetInitAliceHE with the given ratchet private key (drawn by
  // Session::InitInitiator). `trace` receives the initial KDF_RK step.
  static ReferenceRatchet Initiator(const RatchetInit& init, ByteView ratchet_private,
                                    const crypto::X25519PublicKey& responder_ratchet_public,
                                    Json& trace);
  // RatchetInitBobHE with the responder's ratchet (signed prekey) private key.
  static ReferenceRatchet Responder(const RatchetInit& init, ByteView ratchet_private);

  // RatchetEncryptHE (plus the deferred half of DHRatchetHE when a DH step is
  // pending). `draws` are the random values Session::Encrypt drew, in order:
  // [new ratchet private key (32) if a step is pending,] header nonce (24).
  // Returns the wire message; `trace` receives every key used.
  Result<Bytes> Encrypt(ByteView plaintext, const std::vector<Bytes>& draws, Json& trace);

  // RatchetDecryptHE; `trace` receives which header key opened the header,
  // DH steps and skipped keys stored.
  Result<Bytes> Decrypt(ByteView wire, Json& trace);

 private:
  ReferenceRatchet() = default;
  Status SkipTo(uint32_t until, Json& trace);

  Bytes ad_{};
  RatchetKey rk_{};
  crypto::X25519KeyPair dhs_{};
  std::optional<crypto::X25519PublicKey> dhr_{};
  std::optional<RatchetKey> cks_, ckr_, hks_, hkr_;
  RatchetKey nhks_, nhkr_;
  uint32_t ns_ = 0, nr_ = 0, pn_ = 0;
  bool pending_send_step_ = false;
  // MKSKIPPED: (header key hex, n) -> message key.
  std::map<std::pair<std::string, uint32_t>, RatchetKey> skipped_{};
};

}  // namespace attune::e2e::vectors
