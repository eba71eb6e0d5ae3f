// The enrollment code: what the relay CLI writes the client reads back; a
// mistyped or altered code is refused with a clear sentence.
#include "attune/mailbox/enrollment.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"

namespace attune::mailbox {
namespace {

Enrollment Sample(std::string host = "relay.clinic.example", uint16_t port = 7443) {
  Enrollment e;
  e.host = std::move(host);
  e.port = port;
  e.relay_public_key = crypto::GenerateX25519KeyPair(crypto::SystemRandom()).public_key;
  e.credential = crypto::SystemRandom().Secret<kTokenSize>();
  return e;
}

std::string Encode(const Enrollment& e) {
  auto text = EncodeEnrollment(e);
  EXPECT_TRUE(text.ok());
  return std::string(AsStringView(text->view()));
}

TEST(Enrollment, RoundTripsAddressKeyAndCredential) {
  ASSERT_TRUE(crypto::Init().ok());
  const Enrollment e = Sample();
  const std::string text = Encode(e);
  EXPECT_EQ(text.rfind("attune-enroll1:", 0), 0U);
  auto parsed = ParseEnrollment(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->host, e.host);
  EXPECT_EQ(parsed->port, e.port);
  EXPECT_EQ(parsed->relay_public_key, e.relay_public_key);
  EXPECT_EQ(0, std::memcmp(parsed->credential.data(), e.credential.data(), kTokenSize));
}

TEST(Enrollment, AcceptsAPastedOrWrappedCode) {
  ASSERT_TRUE(crypto::Init().ok());
  const Enrollment e = Sample("127.0.0.1", 1);
  std::string text = Encode(e);
  std::string wrapped = "  \n" + text.substr(0, 30) + "\n  " + text.substr(30) + "\r\n";
  auto parsed = ParseEnrollment(wrapped);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->host, "127.0.0.1");
  EXPECT_EQ(parsed->port, 1);
}

TEST(Enrollment, EveryChangedCharacterIsDetected) {
  ASSERT_TRUE(crypto::Init().ok());
  const std::string text = Encode(Sample("::1", 9000));
  size_t detected = 0;
  for (size_t i = kEnrollmentPrefix.size(); i < text.size(); ++i) {
    std::string typo = text;
    typo[i] = typo[i] == 'A' ? 'B' : 'A';
    auto parsed = ParseEnrollment(typo);
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
      ++detected;
    }
  }
  // The last character carries padding bits only partly; every other change
  // trips the checksum.
  EXPECT_GE(detected, text.size() - kEnrollmentPrefix.size() - 1);
  auto typo = ParseEnrollment(text.substr(0, text.size() - 3));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("mistyped"), std::string::npos);
}

TEST(Enrollment, RefusesWhatIsNotACode) {
  ASSERT_TRUE(crypto::Init().ok());
  EXPECT_EQ(ParseEnrollment("").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseEnrollment("ATTUNE1-ABCDE").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseEnrollment("attune-enroll1:").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseEnrollment("attune-enroll1:!!!!").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseEnrollment(std::string(2000, 'a')).error().code, ErrorCode::kInvalidArgument);
}

TEST(Enrollment, EncoderRefusesABadAddress) {
  ASSERT_TRUE(crypto::Init().ok());
  EXPECT_FALSE(EncodeEnrollment(Sample("", 1)).ok());
  EXPECT_FALSE(EncodeEnrollment(Sample("relay clinic", 1)).ok());
  EXPECT_FALSE(EncodeEnrollment(Sample(std::string(254, 'a'), 1)).ok());
  EXPECT_FALSE(EncodeEnrollment(Sample("relay", 0)).ok());
}

TEST(Enrollment, RefusesAnInvalidRelayKey) {
  ASSERT_TRUE(crypto::Init().ok());
  Enrollment e = Sample();
  e.relay_public_key.fill(0);  // small order: never a relay's key
  auto parsed = ParseEnrollment(Encode(e));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kCryptoFailed);
}

}  // namespace
}  // namespace attune::mailbox
