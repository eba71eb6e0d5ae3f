// KDF_RK, KDF_CK and the message-key expansion, all keyed BLAKE2b.
//
// Why keyed BLAKE2b rather than HKDF/HMAC-SHA-256: HMAC-SHA-256 costs four
// SHA-256 compressions per call (ipad, data, opad, inner hash) and HKDF
// with three outputs eight or more; keyed BLAKE2b costs two BLAKE2b
// compressions (key block, data block) and BLAKE2b's compression is faster
// than SHA-256's in software. The one-way benchmark runs two KDFs per message
// per side, so this is where the time goes after the AEAD. Keyed BLAKE2b is
// a PRF (RFC 7693 section 2.5's MAC mode); every call carries a distinct
// ASCII label (constants.h) and the output length is part of BLAKE2b's
// parameter block, so outputs of different calls are independent.
#include <cstring>

#include "attune/crypto/hash.h"
#include "attune/e2e/constants.h"
#include "attune/e2e/ratchet.h"

namespace attune::e2e {
RootKdfOutput KdfRk(crypto::ConstSpan<32> root_key, crypto::ConstSpan<32> dh_out) {
  RootKdfOutput out;
  crypto::SecretArray<64> rk_ck;
  {
    crypto::SecretArray<kLabelRootChain.size() + 32> input;
    std::memcpy(input.data(), kLabelRootChain.data(), kLabelRootChain.size());
    std::memcpy(input.data() + kLabelRootChain.size(), dh_out.data(), 32);
    crypto::Blake2b(rk_ck.mutable_span(), input.view(), root_key);
  }
  std::memcpy(out.root_key.data(), rk_ck.data(), 32);
  std::memcpy(out.chain_key.data(), rk_ck.data() + 32, 32);
  {
    crypto::SecretArray<kLabelRootHeader.size() + 32> input;
    std::memcpy(input.data(), kLabelRootHeader.data(), kLabelRootHeader.size());
    std::memcpy(input.data() + kLabelRootHeader.size(), dh_out.data(), 32);
    crypto::Blake2b(out.next_header_key.mutable_span(), input.view(), root_key);
  }
  return out;
}

ChainKdfOutput KdfCk(crypto::ConstSpan<32> chain_key) {
  ChainKdfOutput out;
  crypto::SecretArray<64> ck_mk;
  crypto::Blake2b(ck_mk.mutable_span(), AsBytes(kLabelChain), chain_key);
  std::memcpy(out.chain_key.data(), ck_mk.data(), 32);
  std::memcpy(out.message_key.data(), ck_mk.data() + 32, 32);
  return out;
}

namespace {

MessageAeadKey SplitAeadKey(const crypto::SecretArray<64>& okm) {
  MessageAeadKey out;
  std::memcpy(out.key.data(), okm.data(), 32);
  std::memcpy(out.nonce.data(), okm.data() + 32, 24);
  return out;
}

}  // namespace

MessageAeadKey DeriveMessageAeadKey(crypto::ConstSpan<32> message_key,
                                    crypto::ConstSpan<kHeaderNonceSize> header_nonce) {
  ByteArray<kLabelMessageKeyV2.size() + kHeaderNonceSize> input;  // public bytes
  std::memcpy(input.data(), kLabelMessageKeyV2.data(), kLabelMessageKeyV2.size());
  std::memcpy(input.data() + kLabelMessageKeyV2.size(), header_nonce.data(), kHeaderNonceSize);
  crypto::SecretArray<64> okm;
  crypto::Blake2b(okm.mutable_span(), input, message_key);
  return SplitAeadKey(okm);
}

MessageAeadKey DeriveMessageAeadKeyV1(crypto::ConstSpan<32> message_key) {
  crypto::SecretArray<64> okm;
  crypto::Blake2b(okm.mutable_span(), AsBytes(kLabelMessageKey), message_key);
  return SplitAeadKey(okm);
}

}  // namespace attune::e2e
