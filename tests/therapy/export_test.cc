// Export: JSON and CSV round-trip every field; tampering and malformed
// files are refused.
#include "attune/client/therapy/export.h"

#include <gtest/gtest.h>

namespace attune::therapy {
namespace {

MessageId Id(uint8_t seed) {
  MessageId id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed * 17 + i);
  return id;
}

ConversationExport Sample() {
  ConversationExport e;
  e.contact = "alex";
  e.self_role = "therapist";
  e.exported_at = 1'790'100'000;

  auto text = [](uint8_t seed, std::string body, HistoryDirection dir, bool delivered) {
    HistoryEntry h;
    h.message_id = Id(seed);
    h.direction = dir;
    h.time = 1'790'000'000 + seed;
    h.sent_at = 1'789'999'990u + seed;
    h.body = TextMessage{std::move(body)};
    h.delivered = delivered;
    return h;
  };
  e.entries.push_back(text(1, "Plain hello", HistoryDirection::kReceived, false));
  e.entries.push_back(
      text(2, "Commas, \"quotes\"\nand a second line", HistoryDirection::kSent, true));
  e.entries.push_back(text(3, "=HYPERLINK(\"http://x\")", HistoryDirection::kReceived, false));
  e.entries.push_back(text(4, "'already quoted", HistoryDirection::kReceived, false));
  e.entries.push_back(text(5, "-3 degrees, caf\u00e9 \u2615", HistoryDirection::kSent, false));

  CheckInInput full;
  full.mood = 0;
  full.anxiety = 10;
  full.sleep_minutes = 0;
  full.note = "+1 bad day, \"really\"\n\ttabbed";
  full.instruments.push_back({InstrumentId::kPhq9, {3, 3, 3, 3, 3, 3, 3, 3, 2}, 3});
  full.instruments.push_back({InstrumentId::kGad7, {0, 1, 2, 3, 0, 1, 2}, std::nullopt});
  full.instruments.push_back({InstrumentId::kPhq2, {1, 1}, std::nullopt});
  full.instruments.push_back({InstrumentId::kGad2, {2, 2}, std::nullopt});
  full.instruments.push_back({InstrumentId::kPhq8, {0, 0, 0, 0, 0, 0, 0, 1}, 0});
  full.filled_at = 1'790'000'100;
  full.utc_offset_seconds = 19800;
  full.help_now = true;
  full.urgent_claimed = true;
  full.schedule_message_id = Id(9);
  HistoryEntry h;
  h.message_id = Id(6);
  h.direction = HistoryDirection::kReceived;
  h.time = 1'790'000'200;
  h.sent_at = 1'790'000'150;
  h.body = CheckIn::Create(full).value();
  h.acknowledged_at = 1'790'000'900;
  e.entries.push_back(h);

  CheckInInput minimal;
  minimal.note = "only a note";
  minimal.filled_at = 1'790'000'300;
  minimal.utc_offset_seconds = -34200;
  h.message_id = Id(7);
  h.time = 1'790'000'400;
  h.sent_at = 0;
  h.body = CheckIn::Create(minimal).value();
  h.acknowledged_at.reset();
  h.delivered = true;
  h.direction = HistoryDirection::kSent;
  e.entries.push_back(h);
  return e;
}

TEST(Export, JsonRoundTripsEveryField) {
  const ConversationExport sample = Sample();
  const std::string json = ExportJson(sample);
  EXPECT_NE(json.find("\"band\": \"Severe\""), std::string::npos);
  EXPECT_NE(json.find("Kurt Kroenke"), std::string::npos);
  auto back = ParseJsonExport(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sample);
}

TEST(Export, CsvRoundTripsEveryField) {
  const ConversationExport sample = Sample();
  const std::string csv = ExportCsv(sample);
  // RFC 4180: CRLF records; quotes doubled inside quoted fields.
  EXPECT_EQ(csv.find("message_id,direction,time,"), 0u);
  EXPECT_NE(csv.find("\"Commas, \"\"quotes\"\"\nand a second line\""), std::string::npos);
  // Formula guard.
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://x\"\")\""), std::string::npos);
  EXPECT_NE(csv.find(",''already quoted,"), std::string::npos);
  EXPECT_NE(csv.find(",26,Severe,"), std::string::npos);
  auto back = ParseCsvExport(csv);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, sample.entries);
}

TEST(Export, CsvFieldQuoting) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("line\r\nbreak"), "\"line\r\nbreak\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(Export, RefusesTamperingAndMalformedInput) {
  const ConversationExport sample = Sample();
  std::string json = ExportJson(sample);
  std::string tampered = json;
  tampered.replace(tampered.find("\"total\": 26"), 11, "\"total\": 3 ");
  EXPECT_FALSE(ParseJsonExport(tampered).ok());
  EXPECT_FALSE(ParseJsonExport("{").ok());
  EXPECT_FALSE(ParseJsonExport("[]").ok());
  EXPECT_FALSE(ParseJsonExport("{\"format\":\"attune-export\",\"version\":2}").ok());
  std::string bad_answer = json;
  bad_answer.replace(bad_answer.find("\"answers\": [\n"), 13, "\"answers\": [7,");
  EXPECT_FALSE(ParseJsonExport(bad_answer).ok());

  const std::string csv = ExportCsv(sample);
  std::string csv_tampered = csv;
  csv_tampered.replace(csv_tampered.find(",26,Severe,"), 11, ",12,Severe,");
  auto r = ParseCsvExport(csv_tampered);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not match"), std::string::npos);
  EXPECT_FALSE(ParseCsvExport(csv.substr(0, csv.size() - 40) + "\"unterminated").ok());
  EXPECT_FALSE(ParseCsvExport("not,the,header\r\n").ok());
  EXPECT_FALSE(ParseCsvExport(csv + "a,b\r\n").ok());  // wrong field count
  EXPECT_FALSE(ParseCsvExport(csv.substr(0, csv.find("\r\n") + 2) + "x\"y" + "\r\n").ok());
}

}  // namespace
}  // namespace attune::therapy
