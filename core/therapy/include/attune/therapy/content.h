// Therapy content: the validated domain form of attune.content.v1.Content
// (proto/content.proto; docs/PROTOCOL.md (part content)), and the one boundary
// where protobuf becomes domain values and back.
//
// Receivers call ParseContent once on decrypted bytes; nothing later sees a
// raw proto. Senders build a ValidatedContent and call SerializeContent, so
// an invalid check-in cannot be sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/therapy/check_in.h"
#include "attune/therapy/crisis_resources.h"
#include "attune/therapy/office_hours.h"
#include "attune/therapy/schedule.h"

namespace attune::content::v1 {
class Content;
}

namespace attune::therapy {

struct TextMessage {
  std::string body{};  // 1..kMaxTextBytes, UTF-8
  friend bool operator==(const TextMessage&, const TextMessage&) = default;
};

// kInvalidArgument if body is empty, longer than kMaxTextBytes, not UTF-8,
// or holds control characters other than newline and tab.
Result<TextMessage> MakeTextMessage(std::string body);

enum class CheckInItem : uint8_t { kMood = 1, kAnxiety = 2, kSleep = 3, kNote = 4 };

struct CheckInSchedule {
  std::vector<CheckInItem> items{};         // unique
  std::vector<InstrumentId> instruments{};  // unique
  Cadence cadence;
  std::string time_zone{};  // IANA name (shape validated); empty = the client device's zone
  bool active = true;
  friend bool operator==(const CheckInSchedule&, const CheckInSchedule&) = default;
};

enum class ReceiptKind : uint8_t { kDelivered = 1, kRead = 2 };

struct Receipt {
  ReceiptKind kind{};
  std::vector<MessageId> message_ids{};  // 1..kMaxReceiptIds
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

using ContentBody =
    std::variant<TextMessage, CheckIn, CheckInSchedule, OfficeHours, CrisisResourceSet, Receipt>;

struct ValidatedContent {
  MessageId message_id{};
  uint64_t sent_at = 0;
  ContentBody body{};
};

// Whether a decoded Content's body is one this module owns (fields 10..15);
// the client layer's own bodies (100..119) are not.
bool IsTherapyContent(const content::v1::Content& proto);

// Errors: kInvalidArgument if the bytes are not a Content, the message id is
// not 16 bytes, the body is missing or not a therapy body, or any field
// breaks a bound or rule of its domain type (message names the field).
Result<ValidatedContent> ParseContent(ByteView bytes);
Result<ValidatedContent> FromProto(const content::v1::Content& proto);

void ToProto(const ValidatedContent& content, content::v1::Content* out);
Bytes SerializeContent(const ValidatedContent& content);

// A fresh content with a random message id.
ValidatedContent NewContent(crypto::RandomSource& random, uint64_t now, ContentBody body);

Result<CheckInItem> ParseCheckInItem(std::string_view name);  // "mood", "anxiety", "sleep", "note"
const char* CheckInItemName(CheckInItem item);

}  // namespace attune::therapy
