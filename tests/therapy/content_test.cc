// The content codec: every body round-trips through protobuf bytes, and
// every bound and rule rejects a bad message from a peer.
#include "attune/therapy/content.h"

#include <gtest/gtest.h>

#include "attune/crypto/random.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "attune/e2e/session.h"
#include "attune/therapy/limits.h"
#include "content.pb.h"

namespace attune::therapy {
namespace {

namespace pb = ::attune::content::v1;

CheckIn FullCheckIn() {
  CheckInInput in;
  in.mood = 3;
  in.anxiety = 8;
  in.sleep_minutes = 330;
  in.note = "Rough week.\nSlept badly \u2014 \"again\".";
  std::vector<uint32_t> phq9 = {1, 2, 1, 2, 1, 0, 1, 0, 1};
  in.instruments.push_back({InstrumentId::kPhq9, phq9, 2});
  in.instruments.push_back({InstrumentId::kGad7, {3, 3, 2, 1, 0, 1, 2}, std::nullopt});
  in.filled_at = 1'790'000'000;
  in.utc_offset_seconds = -4 * 3600;
  in.help_now = false;
  MessageId sid{};
  sid.fill(0xAB);
  in.schedule_message_id = sid;
  auto c = CheckIn::Create(in);
  EXPECT_TRUE(c.ok());
  return std::move(c).value();
}

ValidatedContent RoundTrip(const ValidatedContent& c) {
  const Bytes bytes = SerializeContent(c);
  auto parsed = ParseContent(bytes);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return std::move(parsed).value();
}

TEST(Content, EveryBodyRoundTrips) {
  crypto::DeterministicRandom random("content-test");
  std::vector<ContentBody> bodies;
  bodies.emplace_back(TextMessage{"hello \u00e9"});
  bodies.emplace_back(FullCheckIn());
  bodies.emplace_back(CheckInSchedule{{CheckInItem::kMood, CheckInItem::kSleep},
                                      {InstrumentId::kPhq9, InstrumentId::kGad7},
                                      Cadence::Parse("Mon, Thu 09:00").value(),
                                      "America/New_York",
                                      true});
  bodies.emplace_back(OfficeHours::Create(OfficeHours::ParseWindows("Mon-Fri 09:00-17:00").value(),
                                          "Europe/Berlin", 24, "within a day", "Away.")
                          .value());
  bodies.emplace_back(DefaultUsCrisisResources());
  MessageId a{}, b{};
  a.fill(1);
  b.fill(2);
  bodies.emplace_back(Receipt{ReceiptKind::kDelivered, {a, b}});
  for (ContentBody& body : bodies) {
    const ValidatedContent c = NewContent(random, 1'790'000'123, body);
    const ValidatedContent back = RoundTrip(c);
    EXPECT_EQ(back.message_id, c.message_id);
    EXPECT_EQ(back.sent_at, c.sent_at);
    EXPECT_EQ(back.body, c.body) << "body index " << c.body.index();
  }
}

TEST(Content, UrgentFlagTravelsAndIsRecomputed) {
  crypto::DeterministicRandom random("urgent");
  CheckInInput in;
  in.filled_at = 1'790'000'000;
  in.instruments.push_back({InstrumentId::kPhq9, {0, 0, 0, 0, 0, 0, 0, 0, 1}, std::nullopt});
  const ValidatedContent c = NewContent(random, 1, CheckIn::Create(in).value());
  pb::Content proto;
  ToProto(c, &proto);
  EXPECT_TRUE(proto.check_in().urgent());
  // A receiver flags it even if the sender's flag were cleared.
  proto.mutable_check_in()->set_urgent(false);
  auto parsed = FromProto(proto);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(AssessRisk(std::get<CheckIn>(parsed->body)).urgent);
  // And keeps a sender's flag it cannot explain (e.g. a newer rule).
  CheckInInput calm;
  calm.filled_at = 1'790'000'000;
  calm.mood = 7;
  ToProto(NewContent(random, 1, CheckIn::Create(calm).value()), &proto);
  proto.mutable_check_in()->set_urgent(true);
  parsed = FromProto(proto);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(AssessRisk(std::get<CheckIn>(parsed->body)).reasons, kRiskSenderFlag);
}

pb::Content ValidCheckInProto() {
  crypto::DeterministicRandom random("valid");
  pb::Content proto;
  ToProto(NewContent(random, 5, FullCheckIn()), &proto);
  return proto;
}

TEST(Content, RejectsBadMessages) {
  EXPECT_FALSE(ParseContent(AsBytes("\xff\xff\xff garbage")).ok());
  EXPECT_TRUE(FromProto(ValidCheckInProto()).ok());

  pb::Content p = ValidCheckInProto();
  p.set_message_id(std::string(15, 'x'));
  EXPECT_FALSE(FromProto(p).ok());
  p = ValidCheckInProto();
  p.mutable_check_in()->set_mood(11);
  EXPECT_FALSE(FromProto(p).ok());
  p = ValidCheckInProto();
  p.mutable_check_in()->mutable_instruments(0)->mutable_answers()->RemoveLast();
  EXPECT_EQ(FromProto(p).error().message, "PHQ-9 needs 9 answers, got 8");
  p = ValidCheckInProto();
  p.mutable_check_in()->mutable_instruments(0)->set_answers(0, 4);
  EXPECT_FALSE(FromProto(p).ok());
  p = ValidCheckInProto();
  p.mutable_check_in()->mutable_instruments(0)->set_instrument(static_cast<pb::Instrument>(9));
  EXPECT_FALSE(FromProto(p).ok());
  p = ValidCheckInProto();
  p.mutable_check_in()->set_note("hidden\x1b[8mtext");
  EXPECT_FALSE(FromProto(p).ok());
  p = ValidCheckInProto();
  p.mutable_check_in()->set_schedule_message_id("short");
  EXPECT_FALSE(FromProto(p).ok());

  pb::Content empty;
  empty.set_message_id(std::string(16, 'a'));
  EXPECT_FALSE(FromProto(empty).ok());  // no body
  pb::Content text = empty;
  text.mutable_text()->set_body("");
  EXPECT_FALSE(FromProto(text).ok());
  text.mutable_text()->set_body(std::string(65537, 'a'));
  EXPECT_FALSE(FromProto(text).ok());

  pb::Content receipt = empty;
  receipt.mutable_receipt()->set_kind(pb::Receipt::KIND_DELIVERED);
  EXPECT_FALSE(FromProto(receipt).ok());  // no ids
  for (int i = 0; i < 65; ++i) receipt.mutable_receipt()->add_message_ids(std::string(16, 'i'));
  EXPECT_FALSE(FromProto(receipt).ok());  // too many
  receipt.mutable_receipt()->mutable_message_ids()->RemoveLast();
  EXPECT_TRUE(FromProto(receipt).ok());

  pb::Content schedule = empty;
  schedule.mutable_check_in_schedule()->add_items(pb::CHECK_IN_ITEM_MOOD);
  schedule.mutable_check_in_schedule()->set_cadence("daily 20:00");
  schedule.mutable_check_in_schedule()->set_time_zone("../../etc/passwd");
  schedule.mutable_check_in_schedule()->set_active(true);
  EXPECT_FALSE(FromProto(schedule).ok());
  schedule.mutable_check_in_schedule()->set_time_zone("Europe/Berlin");
  EXPECT_TRUE(FromProto(schedule).ok());
  schedule.mutable_check_in_schedule()->set_cadence("daily 25:00");
  EXPECT_FALSE(FromProto(schedule).ok());

  pb::Content resources = empty;
  EXPECT_FALSE(FromProto(resources).ok());
  resources.mutable_crisis_resources()->set_locale("en-US");
  EXPECT_FALSE(FromProto(resources).ok());  // empty list
}

// The text limit is the ratchet's: the longest valid Text, in the largest
// Content envelope, still fits one ratchet message; one byte more is refused
// by the content codec before anything would be encrypted.
TEST(ContentTest, LongestTextFitsOneRatchetMessageAndOneMoreIsRefused) {
  ASSERT_TRUE(crypto::Init().ok());
  crypto::DeterministicRandom rng("text limit");
  e2e::RatchetInit init;
  init.root_key = rng.Secret<32>();
  init.shared_hka = rng.Secret<32>();
  init.shared_nhkb = rng.Secret<32>();
  init.associated_data = Bytes{'a', 'd'};
  const crypto::X25519KeyPair bob = crypto::GenerateX25519KeyPair(rng);
  auto alice = e2e::Session::InitInitiator(std::move(init), bob.public_key, rng);
  ASSERT_TRUE(alice.ok());

  ValidatedContent longest =
      NewContent(rng, UINT64_MAX, TextMessage{std::string(kMaxTextBytes, 'x')});
  const Bytes bytes = SerializeContent(longest);
  ASSERT_TRUE(ParseContent(bytes).ok());
  EXPECT_LE(bytes.size(), e2e::kMaxPlaintextSize);
  EXPECT_TRUE(alice->Encrypt(bytes, rng).ok());

  pb::Content too_long;
  too_long.set_message_id(std::string(16, 'm'));
  too_long.set_sent_at(1);
  too_long.mutable_text()->set_body(std::string(kMaxTextBytes + 1, 'x'));
  const std::string wire = too_long.SerializeAsString();
  auto parsed = ParseContent(AsBytes(wire));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace attune::therapy
