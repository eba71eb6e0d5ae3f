#include "attune/mailbox/request.h"

#include <algorithm>
#include <memory>

#include "attune/crypto/ed25519.h"
#include "attune/crypto/secret.h"
#include "attune/mailbox/hashes.h"
#include "relay.pb.h"

namespace attune::mailbox {
namespace {

namespace pb = attune::relay::v1;

template <size_t N>
bool CopyExact(const std::string& field, ByteArray<N>& out) {
  if (field.size() != N) return false;
  std::copy(field.begin(), field.end(), out.begin());
  return true;
}

// Wipes a token field of the parsed protobuf before it is freed.
void Wipe(std::string* s) {
  if (!s->empty()) crypto::SecureZero(s->data(), s->size());
}

Rejection Reject(uint64_t request_id, const char* reason) { return Rejection{request_id, reason}; }

ParseOutcome ParseCreate(uint64_t rid, pb::CreateMailbox& m) {
  CreateMailboxRequest r;
  if (!CopyExact(m.mailbox_id(), r.mailbox_id)) return Reject(rid, "bad mailbox_id size");
  if (!CopyExact(m.owner_public_key(), r.owner_key)) return Reject(rid, "bad owner key size");
  // Nothing signs at create time: refuse a key no strict verification would
  // ever accept (non-canonical, small order), so no mailbox is born unusable
  // or with an owner key that anyone could "prove".
  if (!crypto::Ed25519IsValidPublicKey(r.owner_key)) return Reject(rid, "invalid owner key");
  if (!CopyExact(m.send_capability_hash(), r.cap_hash)) {
    return Reject(rid, "bad send_capability_hash size");
  }
  switch (m.authorization_case()) {
    case pb::CreateMailbox::kCredential:
      if (m.credential().size() != kTokenSize) return Reject(rid, "bad credential size");
      r.auth = CreateMailboxRequest::Auth::kCredential;
      r.auth_hash = CredentialHash(AsBytes(m.credential()));
      Wipe(m.mutable_credential());
      break;
    case pb::CreateMailbox::kTicket:
      if (m.ticket().size() != kTokenSize) return Reject(rid, "bad ticket size");
      r.auth = CreateMailboxRequest::Auth::kTicket;
      r.auth_hash = TicketHash(AsBytes(m.ticket()));
      Wipe(m.mutable_ticket());
      break;
    default:
      return Reject(rid, "create_mailbox without credential or ticket");
  }
  return ValidatedRequest{rid, r};
}

ParseOutcome ParseIssue(uint64_t rid, pb::IssueTicket& m) {
  if (m.credential().size() != kTokenSize) return Reject(rid, "bad credential size");
  IssueTicketRequest r{CredentialHash(AsBytes(m.credential()))};
  Wipe(m.mutable_credential());
  return ValidatedRequest{rid, r};
}

ParseOutcome ParseSend(uint64_t rid, pb::Send& m, size_t max_blob) {
  SendRequest r;
  if (!CopyExact(m.mailbox_id(), r.mailbox_id)) return Reject(rid, "bad mailbox_id size");
  if (m.send_capability().size() != kTokenSize) return Reject(rid, "bad send_capability size");
  if (m.blob().empty()) return Reject(rid, "empty blob");
  if (m.blob().size() > max_blob) return Reject(rid, "blob too large");
  r.presented_cap_hash = SendCapabilityHash(AsBytes(m.send_capability()));
  Wipe(m.mutable_send_capability());
  r.blob = std::make_shared<const std::string>(std::move(*m.mutable_blob()));
  return ValidatedRequest{rid, std::move(r)};
}

ParseOutcome ParseSubscribe(uint64_t rid, const pb::Subscribe& m) {
  SubscribeRequest r;
  if (!CopyExact(m.mailbox_id(), r.mailbox_id)) return Reject(rid, "bad mailbox_id size");
  if (!CopyExact(m.signature(), r.signature)) return Reject(rid, "bad signature size");
  return ValidatedRequest{rid, r};
}

ParseOutcome ParseAck(uint64_t rid, const pb::Ack& m) {
  AckRequest r;
  if (!CopyExact(m.mailbox_id(), r.mailbox_id)) return Reject(rid, "bad mailbox_id size");
  if (m.message_id() == 0) return Reject(rid, "message_id 0");
  r.message_id = m.message_id();
  return ValidatedRequest{rid, r};
}

ParseOutcome ParseDelete(uint64_t rid, const pb::DeleteMailbox& m) {
  DeleteMailboxRequest r;
  if (!CopyExact(m.mailbox_id(), r.mailbox_id)) return Reject(rid, "bad mailbox_id size");
  if (!CopyExact(m.signature(), r.signature)) return Reject(rid, "bad signature size");
  return ValidatedRequest{rid, r};
}

ParseOutcome ParseRotate(uint64_t rid, const pb::RotateMailbox& m) {
  RotateMailboxRequest r;
  if (!CopyExact(m.mailbox_id(), r.mailbox_id)) return Reject(rid, "bad mailbox_id size");
  if (!CopyExact(m.new_owner_public_key(), r.new_owner_key)) {
    return Reject(rid, "bad new owner key size");
  }
  // The subgroup check of new_owner_key (as costly as a signature check)
  // runs in CheckRotate, after the mailbox lookup and the owner's
  // signature, off the network thread.
  if (!CopyExact(m.new_send_capability_hash(), r.new_cap_hash)) {
    return Reject(rid, "bad new_send_capability_hash size");
  }
  if (!CopyExact(m.signature(), r.signature)) return Reject(rid, "bad signature size");
  if (!CopyExact(m.new_owner_signature(), r.new_owner_signature)) {
    return Reject(rid, "bad new_owner_signature size");
  }
  return ValidatedRequest{rid, r};
}

}  // namespace

ParseOutcome ParseClientFrame(ByteView plaintext, size_t max_blob_size) {
  pb::ClientFrame frame;
  if (plaintext.size() > kMaxFrameSize ||
      !frame.ParseFromArray(plaintext.data(), static_cast<int>(plaintext.size()))) {
    return Rejection{std::nullopt, "not a ClientFrame"};
  }
  const uint64_t rid = frame.request_id();
  const size_t max_blob = std::min(max_blob_size, kMaxBlobSize);
  switch (frame.request_case()) {
    case pb::ClientFrame::kCreateMailbox:
      return ParseCreate(rid, *frame.mutable_create_mailbox());
    case pb::ClientFrame::kIssueTicket:
      return ParseIssue(rid, *frame.mutable_issue_ticket());
    case pb::ClientFrame::kSend:
      return ParseSend(rid, *frame.mutable_send(), max_blob);
    case pb::ClientFrame::kSubscribe:
      return ParseSubscribe(rid, frame.subscribe());
    case pb::ClientFrame::kAck:
      return ParseAck(rid, frame.ack());
    case pb::ClientFrame::kDeleteMailbox:
      return ParseDelete(rid, frame.delete_mailbox());
    case pb::ClientFrame::kRotateMailbox:
      return ParseRotate(rid, frame.rotate_mailbox());
    case pb::ClientFrame::kPing:
      return ValidatedRequest{rid, PingRequest{}};
    default:
      return Reject(rid, "no request in frame");
  }
}

const char* RequestKindName(const ValidatedRequest& request) {
  static constexpr const char* kNames[] = {"create_mailbox", "issue_ticket", "send",
                                           "subscribe",      "ack",          "delete_mailbox",
                                           "rotate_mailbox", "ping"};
  return kNames[request.body.index()];
}

}  // namespace attune::mailbox
