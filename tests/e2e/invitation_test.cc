// Invitations: minting, binary and text forms, and everything parsing rejects.
#include "attune/e2e/invitation.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "attune/crypto/util.h"
#include "attune/e2e/invitation_codec.h"
#include "e2e_test_time.h"

namespace attune::e2e {
namespace {

using testing::kDay;
using testing::kNow;

class InvitationTest : public ::testing::Test {
 protected:
  InvitationTest() : random_("invitation-test"), inviter_(Identity::Generate(random_)) {}

  MintedInvitation Mint(ByteView routing = AsBytes("relay.example:7443 mailbox 42")) {
    auto minted = MintInvitation(inviter_, routing, kNow, 7 * kDay, random_);
    EXPECT_TRUE(minted.ok()) << minted.error().ToString();
    return std::move(minted).value();
  }

  // Re-signs `bytes` (everything but the trailing signature is kept) with the
  // inviter's key, as a malicious or buggy inviter could.
  Bytes Resign(Bytes bytes) {
    bytes.resize(bytes.size() - 64);
    Bytes message;
    Append(message, kInvitationSignatureLabel);
    Append(message, bytes);
    Append(bytes, inviter_.Sign(message));
    return bytes;
  }

  crypto::DeterministicRandom random_;
  Identity inviter_;
};

TEST_F(InvitationTest, BinaryRoundTripKeepsEveryField) {
  const MintedInvitation minted = Mint();
  const ValidatedInvitation& inv = minted.invitation;
  EXPECT_EQ(inv.encoded().size(), kInvitationFixedSize + inv.routing_blob().size());
  auto parsed = ParseInvitationBinary(inv.encoded(), kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->inviter(), inviter_.public_identity());
  EXPECT_EQ(parsed->id(), minted.secrets.id());
  EXPECT_EQ(parsed->expires_at(), kNow + 7 * kDay);
  EXPECT_EQ(parsed->expires_at(), minted.secrets.expires_at());
  EXPECT_EQ(parsed->signed_prekey(), inv.signed_prekey());
  EXPECT_EQ(parsed->one_time_prekey(), inv.one_time_prekey());
  EXPECT_NE(parsed->signed_prekey(), parsed->one_time_prekey());
  EXPECT_EQ(AsStringView(parsed->routing_blob()), "relay.example:7443 mailbox 42");
  EXPECT_EQ(parsed->encoded(), inv.encoded());
}

TEST_F(InvitationTest, TextFormIsGroupedUpperCaseAndRoundTrips) {
  const MintedInvitation minted = Mint();
  const std::string text = EncodeInvitationText(minted.invitation);
  ASSERT_EQ(text.rfind("ATTUNE1-", 0), 0u) << text;
  const std::string body = text.substr(8);
  for (size_t i = 0; i < body.size(); ++i) {
    if (i % 6 == 5) {
      EXPECT_EQ(body[i], '-') << i;
    } else {
      EXPECT_TRUE((body[i] >= 'A' && body[i] <= 'Z') || (body[i] >= '2' && body[i] <= '7')) << i;
    }
  }
  auto parsed = ParseInvitationText(text, kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->encoded(), minted.invitation.encoded());
}

TEST_F(InvitationTest, TextSurvivesLowerCaseWrappingAndSpaces) {
  const std::string text = EncodeInvitationText(Mint().invitation);
  std::string retyped = "  ";
  for (size_t i = 0; i < text.size(); ++i) {
    retyped.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
    if (i % 40 == 39) retyped += "\r\n";
    if (i % 17 == 3) retyped += ' ';
  }
  auto parsed = ParseInvitationText(retyped, kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
}

TEST_F(InvitationTest, EveryTypoIsCaughtBeforeTheSignature) {
  const std::string text = EncodeInvitationText(Mint().invitation);
  size_t checksum_errors = 0;
  for (size_t i = 8; i < text.size(); ++i) {
    if (text[i] == '-') continue;
    std::string typo = text;
    typo[i] = text[i] == 'A' ? 'B' : 'A';
    auto parsed = ParseInvitationText(typo, kNow);
    ASSERT_FALSE(parsed.ok()) << i;
    ASSERT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << i;
    if (parsed.error().message.find("checksum") != std::string::npos) ++checksum_errors;
  }
  // All but possibly the last character (whose unused bits must be zero)
  // fail the checksum.
  EXPECT_GE(checksum_errors, text.size() - 8 - text.size() / 6 - 1);

  std::string not_base32 = text;
  not_base32[20] = '0';  // a zero typed for the letter O
  EXPECT_NE(ParseInvitationText(not_base32, kNow).error().message.find("Base32"),
            std::string::npos);
  EXPECT_EQ(ParseInvitationText("HELLO-ABCDE", kNow).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseInvitationText(text.substr(0, text.size() - 7), kNow).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseInvitationText(std::string(kMaxInvitationTextSize + 1, 'A'), kNow).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(InvitationTest, ExpiryIsCheckedAgainstTheGivenTime) {
  const MintedInvitation minted = Mint();
  const uint64_t expiry = minted.invitation.expires_at();
  EXPECT_TRUE(ParseInvitationBinary(minted.invitation.encoded(), expiry).ok());
  auto late = ParseInvitationBinary(minted.invitation.encoded(), expiry + 1);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kExpired);
  EXPECT_EQ(ParseInvitationText(EncodeInvitationText(minted.invitation), expiry + 1).error().code,
            ErrorCode::kExpired);
}

TEST_F(InvitationTest, AnyChangeToSignedBytesBreaksTheSignature) {
  const Bytes good = Mint().invitation.encoded();
  // Skip the version byte and length field (layout errors) and the X25519
  // key encodings' top bits (encoding errors); everything else is signature.
  size_t checked = 0;
  for (size_t i = 1; i < good.size(); ++i) {
    if (i == 233 || i == 234) continue;
    Bytes bad = good;
    bad[i] ^= 0x01;
    auto parsed = ParseInvitationBinary(bad, kNow);
    ASSERT_FALSE(parsed.ok()) << i;
    ASSERT_TRUE(parsed.error().code == ErrorCode::kAuthFailed ||
                parsed.error().code == ErrorCode::kCryptoFailed ||
                parsed.error().code == ErrorCode::kExpired)
        << i << " " << parsed.error().ToString();
    ++checked;
  }
  EXPECT_GT(checked, 290u);
}

TEST_F(InvitationTest, SmallOrderPrekeysAreRejectedEvenWhenSigned) {
  const Bytes good = Mint().invitation.encoded();
  for (size_t offset : {169u, 201u}) {  // SPK, OPK
    Bytes bad = good;
    std::fill(bad.begin() + offset, bad.begin() + offset + 32, 0);  // u = 0
    auto parsed = ParseInvitationBinary(Resign(bad), kNow);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, ErrorCode::kCryptoFailed) << offset;
  }
  // The test's Resign itself is sound: re-signing unchanged bytes parses.
  EXPECT_TRUE(ParseInvitationBinary(Resign(good), kNow).ok());
}

TEST_F(InvitationTest, LayoutErrorsAreRejected) {
  const Bytes good = Mint().invitation.encoded();
  Bytes version = good;
  version[0] = 2;
  EXPECT_EQ(ParseInvitationBinary(version, kNow).error().code, ErrorCode::kUnsupportedVersion);
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(ParseInvitationBinary(trailing, kNow).error().code, ErrorCode::kInvalidArgument);
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_EQ(ParseInvitationBinary(truncated, kNow).error().code, ErrorCode::kInvalidArgument);
  Bytes huge_length = good;
  huge_length[233] = 0xff;
  EXPECT_EQ(ParseInvitationBinary(huge_length, kNow).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseInvitationBinary({}, kNow).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(InvitationTest, RoutingBlobAndLifetimeAreBounded) {
  const Bytes max_blob(kMaxRoutingBlobSize, 0x5a);
  auto at_max = MintInvitation(inviter_, max_blob, kNow, kDay, random_);
  ASSERT_TRUE(at_max.ok());
  EXPECT_EQ(at_max->invitation.encoded().size(), kMaxInvitationSize);
  auto text = ParseInvitationText(EncodeInvitationText(at_max->invitation), kNow);
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  EXPECT_EQ(text->routing_blob().size(), kMaxRoutingBlobSize);

  const Bytes too_long(kMaxRoutingBlobSize + 1, 0x5a);
  EXPECT_EQ(MintInvitation(inviter_, too_long, kNow, kDay, random_).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(MintInvitation(inviter_, {}, kNow, 0, random_).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      MintInvitation(inviter_, {}, kNow, kMaxInvitationLifetimeSeconds + 1, random_).error().code,
      ErrorCode::kInvalidArgument);
  EXPECT_TRUE(MintInvitation(inviter_, {}, kNow, kMaxInvitationLifetimeSeconds, random_).ok());
}

TEST_F(InvitationTest, SecretsRoundTripOpenAndConsumed) {
  const MintedInvitation minted = Mint();
  const crypto::SecretBytes open = minted.secrets.Serialize();
  ASSERT_EQ(open.size(), kOpenInvitationSecretsSize);
  auto restored = InvitationSecrets::Deserialize(open.view());
  ASSERT_TRUE(restored.ok()) << restored.error().ToString();
  EXPECT_EQ(restored->id(), minted.secrets.id());
  EXPECT_EQ(restored->expires_at(), minted.secrets.expires_at());
  EXPECT_FALSE(restored->consumed());
  // The restored SPK is the invitation's.
  auto spk = restored->SignedPrekeyPair();
  ASSERT_TRUE(spk.ok());
  EXPECT_EQ(spk->public_key, minted.invitation.signed_prekey());

  ByteArray<32> hash;
  hash.fill(0xab);
  const InvitationSecrets consumed = restored->Consumed(hash);
  EXPECT_FALSE(restored->consumed());  // the original is untouched
  const crypto::SecretBytes stored = consumed.Serialize();
  ASSERT_EQ(stored.size(), kConsumedInvitationSecretsSize);
  auto back = InvitationSecrets::Deserialize(stored.view());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->consumed());
  EXPECT_EQ(back->first_message_hash(), hash);
  EXPECT_EQ(back->SignedPrekeyPair().error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(back->AgreeOneTimePrekey(spk->public_key).error().code, ErrorCode::kAlreadyExists);
}

TEST_F(InvitationTest, SecretsDeserializeIsStrict) {
  const crypto::SecretBytes open = Mint().secrets.Serialize();
  const Bytes good(open.view().begin(), open.view().end());
  Bytes b = good;
  b[0] = 9;
  EXPECT_EQ(InvitationSecrets::Deserialize(b).error().code, ErrorCode::kUnsupportedVersion);
  b = good;
  b[1] = 2;
  EXPECT_EQ(InvitationSecrets::Deserialize(b).error().code, ErrorCode::kInvalidArgument);
  b = good;
  b.push_back(0);
  EXPECT_EQ(InvitationSecrets::Deserialize(b).error().code, ErrorCode::kInvalidArgument);
  // Claims "consumed" with the open layout's size.
  b = good;
  b[1] = 1;
  EXPECT_EQ(InvitationSecrets::Deserialize(b).error().code, ErrorCode::kInvalidArgument);
  // Consumed with an all-zero hash cannot have come from Consumed().
  b.assign(kConsumedInvitationSecretsSize, 0);
  b[0] = kInvitationSecretsVersion;
  b[1] = 1;
  EXPECT_EQ(InvitationSecrets::Deserialize(b).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(InvitationSecrets::Deserialize({}).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace attune::e2e
