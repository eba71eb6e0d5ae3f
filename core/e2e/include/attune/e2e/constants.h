// Every constant of the Double Ratchet layer (docs/PROTOCOL.md (part ratchet)), in
// one place. Changing any value here changes the protocol: bump
// kRatchetWireVersion and/or kSessionStateVersion with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace attune::e2e {

// --- Versions -------------------------------------------------------------

// First byte of every ratchet wire message (docs/PROTOCOL.md (part ratchet), "Wire").
// Version 2 derives the body key and nonce from the message key and the
// header nonce; Encrypt writes it.
inline constexpr uint8_t kRatchetWireVersion = 2;
// Version 1 (body key and nonce from the message key alone) is still
// decrypted, so messages stored or queued by older clients stay readable.
inline constexpr uint8_t kRatchetWireVersionV1 = 1;
// Alias the rest of the message layer may use for "the protocol version".
inline constexpr uint8_t kProtocolVersion = kRatchetWireVersion;
// SessionState.version in proto/e2e.proto. Version 2 adds
// pending_x3dh_prefix; version 1 states (which cannot hold one) are still
// read and keep their version until they are written again.
inline constexpr uint32_t kSessionStateVersion = 2;
inline constexpr uint32_t kSessionStateVersionV1 = 1;

// --- Bounds (each has a test that hits it) --------------------------------

// Most message keys one received message may make us derive and store in a
// single chain (Signal's MAX_SKIP). A header whose counter is further ahead is
// rejected, state unchanged. A DH ratchet step can skip up to this many in
// the old chain and again in the new one.
inline constexpr uint32_t kMaxSkip = 1000;
// Global cap on stored skipped message keys across all chains. When a
// successful decrypt would exceed it, the oldest (first skipped) are evicted.
inline constexpr size_t kMaxStoredSkippedKeys = 2000;
// A skipped key older than this (by the now_unix passed to Decrypt) is
// dropped at the next successful Decrypt and can no longer be used.
inline constexpr uint64_t kSkippedKeyLifetimeSeconds = 30ull * 24 * 60 * 60;
// Receiving chains (header keys) remembered, current one included. Old
// header keys let a re-delivered message be recognised as kDuplicate and let
// skipped keys be found; each costs one header trial decryption for a message
// that matches nothing, so it is bounded. The oldest chain (and its skipped
// keys) is forgotten first.
inline constexpr size_t kMaxReceivingChains = 64;

// Largest RatchetInit::associated_data (two identity records fit easily).
inline constexpr size_t kMaxAssociatedDataSize = 1024;

// --- Padding (docs/PROTOCOL.md (part ratchet), "Padding") ------------------------

// The encrypted body is u32-BE length || plaintext || zeros, padded to the
// smallest power of two >= kMinPaddedSize that holds it.
inline constexpr size_t kPaddingLengthPrefixSize = 4;
inline constexpr size_t kMinPaddedSize = 256;
inline constexpr size_t kMaxPaddedSize = 32768;
inline constexpr size_t kMaxPlaintextSize = kMaxPaddedSize - kPaddingLengthPrefixSize;

// --- Sizes ----------------------------------------------------------------

inline constexpr size_t kRatchetKeySize = 32;        // RK, CK, HK, NHK, MK
inline constexpr size_t kRatchetPublicKeySize = 32;  // X25519
inline constexpr size_t kHeaderSize = 40;            // DH pub 32 | PN u32 | N u32
inline constexpr size_t kHeaderNonceSize = 24;       // random, per message
inline constexpr size_t kAeadTagSize = 16;
// version 1 | header nonce 24 | encrypted header 40 + tag 16
inline constexpr size_t kWirePrefixSize = 1 + kHeaderNonceSize + kHeaderSize + kAeadTagSize;
inline constexpr size_t kMinWireMessageSize = kWirePrefixSize + kMinPaddedSize + kAeadTagSize;
inline constexpr size_t kMaxWireMessageSize = kWirePrefixSize + kMaxPaddedSize + kAeadTagSize;

// --- KDF labels (domain separation; ASCII, no terminator) -----------------

// KDF_RK: BLAKE2b-512(key = RK, msg = label || dh_out) -> RK' || CK
inline constexpr std::string_view kLabelRootChain = "Attune_v1_Ratchet_RootChain";
// KDF_RK: BLAKE2b-256(key = RK, msg = label || dh_out) -> NHK
inline constexpr std::string_view kLabelRootHeader = "Attune_v1_Ratchet_RootHeader";
// KDF_CK: BLAKE2b-512(key = CK, msg = label) -> CK' || MK
inline constexpr std::string_view kLabelChain = "Attune_v1_Ratchet_Chain";
// Message AEAD, wire version 2:
//   BLAKE2b-512(key = MK, msg = label || header nonce (24)) -> key 32 || nonce 24 || unused 8
// The header nonce is fresh randomness per message, so a session restored
// from an old copy of its state (same MK again) never repeats a key/nonce.
inline constexpr std::string_view kLabelMessageKeyV2 = "Attune_v2_Ratchet_MessageKey";
// Message AEAD, wire version 1 (decrypt only):
//   BLAKE2b-512(key = MK, msg = label) -> key 32 || nonce 24 || unused 8
inline constexpr std::string_view kLabelMessageKey = "Attune_v1_Ratchet_MessageKey";

}  // namespace attune::e2e
