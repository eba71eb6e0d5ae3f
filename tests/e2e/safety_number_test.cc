// Safety numbers: symmetric, 12 x 5 digits, change with either key.
#include "attune/e2e/safety_number.h"

#include <gtest/gtest.h>

#include <regex>

namespace attune::e2e {
namespace {

class SafetyNumberTest : public ::testing::Test {
 protected:
  SafetyNumberTest()
      : random_("safety-number-test"),
        therapist_(Identity::Generate(random_)),
        client_(Identity::Generate(random_)) {}

  crypto::DeterministicRandom random_;
  Identity therapist_;
  Identity client_;
};

TEST_F(SafetyNumberTest, SameOnBothSidesInEitherOrder) {
  const SafetyNumber ab =
      SafetyNumber::Compute(therapist_.public_identity(), client_.public_identity());
  const SafetyNumber ba =
      SafetyNumber::Compute(client_.public_identity(), therapist_.public_identity());
  EXPECT_EQ(ab.digits(), ba.digits());
  EXPECT_EQ(ab.qr_payload(), ba.qr_payload());
  EXPECT_TRUE(CompareSafetyNumberQr(ab, ba.qr_payload()).ok());
}

TEST_F(SafetyNumberTest, SixtyDigitsInTwelveGroupsOfFive) {
  const SafetyNumber n =
      SafetyNumber::Compute(therapist_.public_identity(), client_.public_identity());
  EXPECT_TRUE(std::regex_match(n.digits(), std::regex("[0-9]{60}"))) << n.digits();
  EXPECT_TRUE(std::regex_match(n.Display(), std::regex("[0-9]{5}( [0-9]{5}){11}"))) << n.Display();
  EXPECT_EQ(n.qr_payload().size(), kSafetyNumberQrSize);
  EXPECT_EQ(n.qr_payload()[0], kSafetyNumberQrVersion);
}

TEST_F(SafetyNumberTest, ChangesWhenEitherIdentityChanges) {
  const SafetyNumber original =
      SafetyNumber::Compute(therapist_.public_identity(), client_.public_identity());
  const Identity new_client = Identity::Generate(random_);
  const Identity new_therapist = Identity::Generate(random_);
  const SafetyNumber client_changed =
      SafetyNumber::Compute(therapist_.public_identity(), new_client.public_identity());
  const SafetyNumber therapist_changed =
      SafetyNumber::Compute(new_therapist.public_identity(), client_.public_identity());
  EXPECT_NE(original.digits(), client_changed.digits());
  EXPECT_NE(original.digits(), therapist_changed.digits());
  EXPECT_NE(client_changed.digits(), therapist_changed.digits());
  // The unchanged side's 30 digits remain: each half belongs to one person.
  const std::string& o = original.digits();
  const std::string& c = client_changed.digits();
  const bool shares_half = o.substr(0, 30) == c.substr(0, 30) || o.substr(0, 30) == c.substr(30) ||
                           o.substr(30) == c.substr(0, 30) || o.substr(30) == c.substr(30);
  EXPECT_TRUE(shares_half);

  EXPECT_EQ(CompareSafetyNumberQr(original, client_changed.qr_payload()).error().code,
            ErrorCode::kAuthFailed);
  EXPECT_EQ(CompareSafetyNumberQr(original, therapist_changed.qr_payload()).error().code,
            ErrorCode::kAuthFailed);
}

TEST_F(SafetyNumberTest, QrComparisonRejectsMalformedPayloads) {
  const SafetyNumber n =
      SafetyNumber::Compute(therapist_.public_identity(), client_.public_identity());
  Bytes payload(n.qr_payload().begin(), n.qr_payload().end());
  EXPECT_TRUE(CompareSafetyNumberQr(n, payload).ok());
  Bytes short_payload(payload.begin(), payload.end() - 1);
  EXPECT_EQ(CompareSafetyNumberQr(n, short_payload).error().code, ErrorCode::kInvalidArgument);
  Bytes version = payload;
  version[0] = 2;
  EXPECT_EQ(CompareSafetyNumberQr(n, version).error().code, ErrorCode::kUnsupportedVersion);
  for (size_t i = 1; i < payload.size(); i += 7) {
    Bytes flipped = payload;
    flipped[i] ^= 0x80;
    EXPECT_EQ(CompareSafetyNumberQr(n, flipped).error().code, ErrorCode::kAuthFailed) << i;
  }
}

}  // namespace
}  // namespace attune::e2e
