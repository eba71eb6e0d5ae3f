// ParseClientFrame (attune/mailbox/request.h) on arbitrary bytes.
//
// Input layout: byte 0 picks the configured max_blob_size (0..255 maps onto
// 1..kMaxBlobSize), the rest is the decrypted ClientFrame. Whatever the
// bytes, the parser must not crash, and a ValidatedRequest may only come out
// with every invariant later code relies on: a Send blob of 1..max_blob_size
// bytes, owner keys that are valid Ed25519 points, and a request id equal to
// the frame's. A Rejection carries a request id only if the bytes parsed as a
// ClientFrame, and a reason that is safe to log (short, printable).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/util.h"
#include "attune/mailbox/constants.h"
#include "attune/mailbox/request.h"
#include "relay.pb.h"

namespace {

namespace mailbox = attune::mailbox;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckValidated(const mailbox::ValidatedRequest& v, const attune::relay::v1::ClientFrame& frame,
                    size_t max_blob) {
  Check(v.request_id == frame.request_id());
  Check(mailbox::RequestKindName(v) != nullptr);
  if (const auto* send = std::get_if<mailbox::SendRequest>(&v.body)) {
    Check(send->blob != nullptr);
    Check(!send->blob->empty() && send->blob->size() <= max_blob);
    Check(*send->blob == frame.send().blob());
  } else if (const auto* create = std::get_if<mailbox::CreateMailboxRequest>(&v.body)) {
    Check(attune::crypto::Ed25519IsValidPublicKey(create->owner_key));
  } else if (const auto* rotate = std::get_if<mailbox::RotateMailboxRequest>(&v.body)) {
    // The new key's subgroup check runs later, in CheckRotate, after the
    // mailbox lookup and the owner's signature (PROTOCOL.md section 2.7);
    // the parser guarantees only its size and carries the exact bytes.
    Check(std::equal(
        rotate->new_owner_key.begin(), rotate->new_owner_key.end(),
        reinterpret_cast<const uint8_t*>(frame.rotate_mailbox().new_owner_public_key().data())));
  } else if (const auto* ack = std::get_if<mailbox::AckRequest>(&v.body)) {
    Check(ack->message_id == frame.ack().message_id());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool initialised = attune::crypto::Init().ok();
  Check(initialised);
  if (size == 0) return 0;
  const size_t max_blob = 1 + (static_cast<size_t>(data[0]) * (mailbox::kMaxBlobSize - 1)) / 255;
  const attune::ByteView frame_bytes(data + 1, size - 1);

  const mailbox::ParseOutcome outcome = mailbox::ParseClientFrame(frame_bytes, max_blob);

  attune::relay::v1::ClientFrame reference;
  const bool parses =
      reference.ParseFromArray(frame_bytes.data(), static_cast<int>(frame_bytes.size()));
  if (const auto* rejection = std::get_if<mailbox::Rejection>(&outcome)) {
    Check(rejection->request_id.has_value() == parses);
    if (parses) Check(*rejection->request_id == reference.request_id());
    Check(!rejection->reason.empty() && rejection->reason.size() < 128);
    for (char c : rejection->reason) Check(c >= 0x20 && c < 0x7f);
    return 0;
  }
  Check(parses);
  CheckValidated(std::get<mailbox::ValidatedRequest>(outcome), reference, max_blob);
  return 0;
}
