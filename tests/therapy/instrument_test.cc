// Instruments: wording shape, scoring and bands at every boundary, invalid
// answers, and the risk rules.
#include "attune/therapy/instrument.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "attune/therapy/check_in.h"
#include "attune/therapy/scoring.h"

namespace attune::therapy {
namespace {

// Answers for `spec` summing to total: 3s first, then the remainder.
std::vector<uint32_t> AnswersWithTotal(const InstrumentSpec& spec, uint32_t total) {
  std::vector<uint32_t> answers(spec.items.size(), 0);
  for (uint32_t& a : answers) {
    a = std::min<uint32_t>(3, total);
    total -= a;
  }
  EXPECT_EQ(total, 0u);
  return answers;
}

Score ScoreTotal(InstrumentId id, uint32_t total) {
  auto answers = ValidatedAnswers::Create(id, AnswersWithTotal(GetInstrument(id), total));
  EXPECT_TRUE(answers.ok());
  return ScoreAnswers(*answers);
}

struct BandCase {
  InstrumentId id{};
  uint32_t total = 0;
  const char* band = nullptr;
};

TEST(Instrument, BandsAtEveryBoundary) {
  const BandCase cases[] = {
      {InstrumentId::kPhq9, 0, "Minimal"},
      {InstrumentId::kPhq9, 4, "Minimal"},
      {InstrumentId::kPhq9, 5, "Mild"},
      {InstrumentId::kPhq9, 9, "Mild"},
      {InstrumentId::kPhq9, 10, "Moderate"},
      {InstrumentId::kPhq9, 14, "Moderate"},
      {InstrumentId::kPhq9, 15, "Moderately severe"},
      {InstrumentId::kPhq9, 19, "Moderately severe"},
      {InstrumentId::kPhq9, 20, "Severe"},
      {InstrumentId::kPhq9, 27, "Severe"},
      {InstrumentId::kPhq8, 0, "Minimal"},
      {InstrumentId::kPhq8, 4, "Minimal"},
      {InstrumentId::kPhq8, 5, "Mild"},
      {InstrumentId::kPhq8, 9, "Mild"},
      {InstrumentId::kPhq8, 10, "Moderate"},
      {InstrumentId::kPhq8, 14, "Moderate"},
      {InstrumentId::kPhq8, 15, "Moderately severe"},
      {InstrumentId::kPhq8, 19, "Moderately severe"},
      {InstrumentId::kPhq8, 20, "Severe"},
      {InstrumentId::kPhq8, 24, "Severe"},
      {InstrumentId::kGad7, 0, "Minimal"},
      {InstrumentId::kGad7, 4, "Minimal"},
      {InstrumentId::kGad7, 5, "Mild"},
      {InstrumentId::kGad7, 9, "Mild"},
      {InstrumentId::kGad7, 10, "Moderate"},
      {InstrumentId::kGad7, 14, "Moderate"},
      {InstrumentId::kGad7, 15, "Severe"},
      {InstrumentId::kGad7, 21, "Severe"},
      {InstrumentId::kPhq2, 0, "Negative screen"},
      {InstrumentId::kPhq2, 2, "Negative screen"},
      {InstrumentId::kPhq2, 3, "Positive screen"},
      {InstrumentId::kPhq2, 6, "Positive screen"},
      {InstrumentId::kGad2, 0, "Negative screen"},
      {InstrumentId::kGad2, 2, "Negative screen"},
      {InstrumentId::kGad2, 3, "Positive screen"},
      {InstrumentId::kGad2, 6, "Positive screen"},
  };
  for (const BandCase& c : cases) {
    const Score s = ScoreTotal(c.id, c.total);
    EXPECT_EQ(s.total, c.total);
    EXPECT_EQ(s.band, c.band) << GetInstrument(c.id).short_name << " total " << c.total;
  }
}

TEST(Instrument, EveryTotalHasExactlyOneBand) {
  for (InstrumentId id : kAllInstruments) {
    const InstrumentSpec& spec = GetInstrument(id);
    for (uint32_t t = 0; t <= spec.max_total(); ++t) {
      size_t matches = 0;
      for (const SeverityBand& b : spec.bands) matches += t >= b.min_total && t <= b.max_total;
      EXPECT_EQ(matches, spec.bands.empty() ? 0u : 1u) << spec.short_name << " " << t;
      EXPECT_FALSE(ScoreTotal(id, t).band.empty());
    }
  }
}

TEST(Instrument, MaxTotalsAndScreens) {
  EXPECT_EQ(GetInstrument(InstrumentId::kPhq9).max_total(), 27u);
  EXPECT_EQ(GetInstrument(InstrumentId::kPhq8).max_total(), 24u);
  EXPECT_EQ(GetInstrument(InstrumentId::kGad7).max_total(), 21u);
  EXPECT_EQ(GetInstrument(InstrumentId::kPhq2).max_total(), 6u);
  EXPECT_EQ(GetInstrument(InstrumentId::kGad2).max_total(), 6u);
  EXPECT_EQ(ScoreTotal(InstrumentId::kPhq2, 2).positive, false);
  EXPECT_EQ(ScoreTotal(InstrumentId::kPhq2, 3).positive, true);
  EXPECT_EQ(ScoreTotal(InstrumentId::kGad2, 3).positive, true);
  EXPECT_FALSE(ScoreTotal(InstrumentId::kPhq9, 27).positive.has_value());
}

TEST(Instrument, PublishedWordingAndAttribution) {
  const InstrumentSpec& phq9 = GetInstrument(InstrumentId::kPhq9);
  EXPECT_EQ(phq9.stem,
            "Over the last 2 weeks, how often have you been bothered by any of the following "
            "problems?");
  EXPECT_EQ(phq9.items[0], "Little interest or pleasure in doing things");
  EXPECT_EQ(phq9.items[8],
            "Thoughts that you would be better off dead or of hurting yourself in some way");
  EXPECT_EQ(phq9.options[0], "Not at all");
  EXPECT_EQ(phq9.options[1], "Several days");
  EXPECT_EQ(phq9.options[2], "More than half the days");
  EXPECT_EQ(phq9.options[3], "Nearly every day");
  EXPECT_EQ(GetInstrument(InstrumentId::kGad7).items[6],
            "Feeling afraid as if something awful might happen");
  // Short forms are the first items of the long forms, word for word.
  EXPECT_EQ(GetInstrument(InstrumentId::kPhq2).items[1], phq9.items[1]);
  EXPECT_EQ(GetInstrument(InstrumentId::kPhq8).items.size(), 8u);
  EXPECT_EQ(GetInstrument(InstrumentId::kGad2).items[0], "Feeling nervous, anxious or on edge");
  for (InstrumentId id : kAllInstruments) {
    EXPECT_EQ(GetInstrument(id).attribution,
              "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
              "colleagues, with an educational grant from Pfizer Inc. No permission required to "
              "reproduce, translate, display or distribute.");
  }
}

TEST(Instrument, InvalidAnswersAreClearErrors) {
  const std::vector<uint32_t> eight(8, 1);
  auto r = ValidatedAnswers::Create(InstrumentId::kPhq9, eight);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "PHQ-9 needs 9 answers, got 8");

  EXPECT_FALSE(ValidatedAnswers::Create(InstrumentId::kPhq9, std::vector<uint32_t>(10, 0)).ok());
  EXPECT_FALSE(ValidatedAnswers::Create(InstrumentId::kGad7, {}).ok());

  std::vector<uint32_t> four = {0, 0, 0, 4, 0, 0, 0};
  r = ValidatedAnswers::Create(InstrumentId::kGad7, four);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "GAD-7 item 4: answer 4 is out of range 0..3");

  const std::vector<uint32_t> nine(9, 0);
  EXPECT_TRUE(ValidatedAnswers::Create(InstrumentId::kPhq9, nine, 3).ok());
  EXPECT_FALSE(ValidatedAnswers::Create(InstrumentId::kPhq9, nine, 4).ok());
  EXPECT_FALSE(ValidatedAnswers::Create(InstrumentId::kGad7, std::vector<uint32_t>(7, 0), 1).ok());
}

TEST(Instrument, ParsesNamesAndAnswerLists) {
  EXPECT_EQ(*ParseInstrumentName("phq9"), InstrumentId::kPhq9);
  EXPECT_EQ(*ParseInstrumentName("PHQ-8"), InstrumentId::kPhq8);
  EXPECT_EQ(*ParseInstrumentName("gad_2"), InstrumentId::kGad2);
  EXPECT_FALSE(ParseInstrumentName("phq10").ok());
  EXPECT_EQ(*ParseAnswerList("0,1, 2 ,3"), (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_FALSE(ParseAnswerList("0,,1").ok());
  EXPECT_FALSE(ParseAnswerList("0,x").ok());
  EXPECT_FALSE(ParseAnswerList("").ok());
  EXPECT_FALSE(ParseAnswerList("-1").ok());
  EXPECT_FALSE(ParseAnswerList(std::string(40, '1')).ok());
}

CheckInInput BaseInput() {
  CheckInInput in;
  in.mood = 5;
  in.filled_at = 1'800'000'000;
  return in;
}

TEST(Risk, PhqNineItemNineAboveZeroIsUrgent) {
  for (uint32_t item9 = 0; item9 <= 3; ++item9) {
    CheckInInput in = BaseInput();
    std::vector<uint32_t> answers(9, 0);
    answers[8] = item9;
    in.instruments.push_back({InstrumentId::kPhq9, answers, std::nullopt});
    auto c = CheckIn::Create(in);
    ASSERT_TRUE(c.ok());
    const RiskAssessment risk = AssessRisk(*c);
    EXPECT_EQ(risk.urgent, item9 > 0);
    if (item9 > 0) {
      EXPECT_EQ(risk.reasons, kRiskSelfHarmItem);
    }
  }
}

TEST(Risk, HighScoresElsewhereAreNotRiskButHelpNowIs) {
  CheckInInput in = BaseInput();
  in.instruments.push_back({InstrumentId::kPhq8, std::vector<uint32_t>(8, 3), std::nullopt});
  in.instruments.push_back({InstrumentId::kGad7, std::vector<uint32_t>(7, 3), std::nullopt});
  std::vector<uint32_t> phq9(9, 3);
  phq9[8] = 0;
  in.instruments.push_back({InstrumentId::kPhq9, phq9, std::nullopt});
  auto c = CheckIn::Create(in);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(AssessRisk(*c).urgent);

  in.help_now = true;
  c = CheckIn::Create(in);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(AssessRisk(*c).urgent);
  EXPECT_EQ(AssessRisk(*c).reasons, kRiskHelpNow);
  EXPECT_NE(DescribeRisk(AssessRisk(*c), *c).find("I need help now"), std::string::npos);

  // "I need help now" alone is a valid check-in.
  CheckInInput only;
  only.filled_at = 1'800'000'000;
  only.help_now = true;
  EXPECT_TRUE(CheckIn::Create(only).ok());
}

TEST(CheckIn, RejectsOutOfRangeFields) {
  CheckInInput in = BaseInput();
  in.mood = 11;
  EXPECT_FALSE(CheckIn::Create(in).ok());
  in = BaseInput();
  in.anxiety = 11;
  EXPECT_FALSE(CheckIn::Create(in).ok());
  in = BaseInput();
  in.sleep_minutes = 24 * 60 + 1;
  EXPECT_FALSE(CheckIn::Create(in).ok());
  in = BaseInput();
  in.note = std::string(4097, 'x');
  EXPECT_FALSE(CheckIn::Create(in).ok());
  in = BaseInput();
  in.note = "bad \x1b[2J escape";
  EXPECT_FALSE(CheckIn::Create(in).ok());
  in = BaseInput();
  in.note = "\xff\xfe";
  EXPECT_FALSE(CheckIn::Create(in).ok());
  in = BaseInput();
  in.instruments.push_back({InstrumentId::kGad2, {1, 1}, std::nullopt});
  in.instruments.push_back({InstrumentId::kGad2, {1, 1}, std::nullopt});
  EXPECT_FALSE(CheckIn::Create(in).ok());
  in = BaseInput();
  in.utc_offset_seconds = 19 * 3600;
  EXPECT_FALSE(CheckIn::Create(in).ok());
  CheckInInput empty;
  empty.filled_at = 1;
  EXPECT_FALSE(CheckIn::Create(empty).ok());
}

TEST(CheckIn, SummaryLine) {
  CheckInInput in = BaseInput();
  in.anxiety = 7;
  in.sleep_minutes = 330;
  in.note = "private words";
  in.instruments.push_back({InstrumentId::kGad7, {1, 1, 1, 1, 1, 1, 1}, std::nullopt});
  const std::string line = SummarizeCheckIn(CheckIn::Create(in).value());
  EXPECT_EQ(line, "check-in: mood 5/10, anxiety 7/10, slept 5:30, GAD-7 7 Mild, note");
  CheckInInput help;
  help.filled_at = 1;
  help.help_now = true;
  EXPECT_EQ(SummarizeCheckIn(CheckIn::Create(help).value()), "check-in: I NEED HELP NOW");
}

TEST(CheckIn, ParsesSleepHours) {
  EXPECT_EQ(*ParseSleepHours("7"), 420u);
  EXPECT_EQ(*ParseSleepHours("7.5"), 450u);
  EXPECT_EQ(*ParseSleepHours("7:30"), 450u);
  EXPECT_EQ(*ParseSleepHours("0"), 0u);
  EXPECT_EQ(*ParseSleepHours("24"), 1440u);
  EXPECT_FALSE(ParseSleepHours("24.5").ok());
  EXPECT_FALSE(ParseSleepHours("7:75").ok());
  EXPECT_FALSE(ParseSleepHours("-1").ok());
  EXPECT_FALSE(ParseSleepHours("seven").ok());
  EXPECT_FALSE(ParseSleepHours("7.").ok());
}

}  // namespace
}  // namespace attune::therapy
