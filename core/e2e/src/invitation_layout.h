// Byte offsets of the invitation binary form (the table in
// attune/e2e/invitation.h). Private to invitation.cc and invitation_codec.cc.
#pragma once

#include <cstddef>

#include "attune/e2e/invitation.h"

namespace attune::e2e::invitation_layout {

inline constexpr size_t kVersion = 0;
inline constexpr size_t kIdentity = 1;
inline constexpr size_t kId = kIdentity + kIdentityRecordSize;  // 145
inline constexpr size_t kExpiry = kId + kInvitationIdSize;      // 161
inline constexpr size_t kSignedPrekey = kExpiry + 8;            // 169
inline constexpr size_t kOneTimePrekey = kSignedPrekey + 32;    // 201
inline constexpr size_t kRoutingLength = kOneTimePrekey + 32;   // 233
inline constexpr size_t kRouting = kRoutingLength + 2;          // 235

static_assert(kRouting + 64 == kInvitationFixedSize);

}  // namespace attune::e2e::invitation_layout
