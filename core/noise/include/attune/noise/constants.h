// Every constant of the Attune transport (docs/PROTOCOL.md (part transport)) in one
// place. Changing any of them changes the wire protocol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace attune::noise {

// The full Noise protocol name (Noise spec rev 34, section 8). Hashed into h
// and ck by InitializeSymmetric, so both sides must agree on every byte.
inline constexpr std::string_view kProtocolName = "Noise_NK_25519_ChaChaPoly_BLAKE2b";

// The prologue every Attune client and relay mixes into the handshake:
// the 14 ASCII bytes "attune-relay/1", no terminator. A peer speaking another
// protocol version computes a different h and the handshake fails at the
// first tag, so the version is authenticated without an extra round trip.
inline constexpr std::string_view kRelayPrologue = "attune-relay/1";

// Noise's limit on any one message (spec section 3). It is also our frame
// limit: a frame carries exactly one Noise message.
inline constexpr size_t kMaxMessageSize = 65535;

inline constexpr size_t kDhLen = 32;    // X25519 public keys and shared secrets
inline constexpr size_t kHashLen = 64;  // BLAKE2b-512
inline constexpr size_t kKeyLen = 32;   // ChaChaPoly key
inline constexpr size_t kTagLen = 16;   // Poly1305 tag

// NK: "-> e, es" and "<- e, ee": each handshake message is an ephemeral
// public key followed by the encrypted payload (payload + tag).
inline constexpr size_t kHandshakeOverhead = kDhLen + kTagLen;
inline constexpr size_t kMaxHandshakePayload = kMaxMessageSize - kHandshakeOverhead;
inline constexpr size_t kMaxTransportPlaintext = kMaxMessageSize - kTagLen;

// A CipherState whose nonce reaches this value refuses to encrypt or decrypt
// (2^64-1 is reserved by the Noise spec, section 5.1).
inline constexpr uint64_t kMaxNonce = UINT64_MAX;

// Framing (framing.h): a 2-byte big-endian length before every message.
inline constexpr size_t kFrameHeaderSize = 2;

}  // namespace attune::noise
