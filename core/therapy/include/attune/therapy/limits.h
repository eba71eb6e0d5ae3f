// Every bound on therapy content in one place (docs/PROTOCOL.md (part content)).
// Content arrives from the other end of an encrypted session, so a peer
// could otherwise grow any of these without limit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "attune/e2e/constants.h"

namespace attune::therapy {

inline constexpr size_t kMessageIdSize = 16;

// A Text travels in one ratchet message, so its limit is the ratchet's
// (e2e::kMaxPlaintextSize, the one place it is stated) less the largest
// Content envelope around the body: message_id 2+16, sent_at 1+10, the text
// field's tag and length 1+3, Text.body's tag and length 1+3 = 37, rounded
// up. A longer text is refused here, before anything is encrypted or queued.
inline constexpr size_t kMaxContentEnvelopeBytes = 64;
inline constexpr size_t kMaxTextBytes = e2e::kMaxPlaintextSize - kMaxContentEnvelopeBytes;
static_assert(kMaxTextBytes == 32700);
inline constexpr size_t kMaxNoteBytes = 4096;

inline constexpr uint32_t kMaxMood = 10;
inline constexpr uint32_t kMaxAnxiety = 10;
inline constexpr uint32_t kMaxSleepMinutes = 24 * 60;

// Real UTC offsets lie within -12:00 .. +14:00; allow a margin.
inline constexpr int32_t kMaxUtcOffsetSeconds = 18 * 3600;

inline constexpr size_t kMaxCadenceBytes = 128;
inline constexpr size_t kMaxCadenceTimesPerDay = 8;
inline constexpr size_t kMaxScheduleItems = 4;  // one per CheckInItem
inline constexpr size_t kMaxScheduleInstruments = 5;
inline constexpr size_t kMaxTimeZoneNameBytes = 64;

inline constexpr size_t kMaxOfficeHoursWindows = 28;
inline constexpr size_t kMaxReplyTextBytes = 256;
inline constexpr size_t kMaxAutoReplyBytes = 1024;
inline constexpr uint32_t kMaxExpectedReplyHours = 24 * 30;

inline constexpr size_t kMaxCrisisResources = 16;
inline constexpr size_t kMaxCrisisLabelBytes = 128;
inline constexpr size_t kMaxCrisisContactBytes = 256;
inline constexpr size_t kMaxCrisisNoteBytes = 512;
inline constexpr size_t kMaxLocaleBytes = 35;  // BCP 47 practical maximum

inline constexpr size_t kMaxReceiptIds = 64;

// A check-in filled up to this long before a scheduled time counts for it,
// so filling in at 19:55 for "daily 20:00" does not leave it due at 20:00.
inline constexpr int64_t kEarlyCheckInGraceSeconds = int64_t{2} * 3600;

}  // namespace attune::therapy
