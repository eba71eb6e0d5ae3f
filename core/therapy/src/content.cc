#include "attune/therapy/content.h"

#include <algorithm>

#include "attune/therapy/limits.h"
#include "content.pb.h"
#include "text_check.h"

namespace attune::therapy {
namespace {

namespace pb = ::attune::content::v1;

Error Bad(const std::string& message) {
  return MakeError(ErrorCode::kInvalidArgument, "content: " + message);
}

Result<MessageId> ParseMessageId(const std::string& bytes, const char* field) {
  if (bytes.size() != kMessageIdSize) {
    return Bad(std::string(field) + " must be " + std::to_string(kMessageIdSize) + " bytes");
  }
  MessageId id;
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

std::string IdString(const MessageId& id) { return std::string(id.begin(), id.end()); }

Result<TextMessage> ParseText(const pb::Text& t) { return MakeTextMessage(t.body()); }

Result<CheckIn> ParseCheckIn(const pb::CheckIn& c) {
  CheckInInput in;
  if (c.has_mood()) in.mood = c.mood();
  if (c.has_anxiety()) in.anxiety = c.anxiety();
  if (c.has_sleep_minutes()) in.sleep_minutes = c.sleep_minutes();
  in.note = c.note();
  if (static_cast<size_t>(c.instruments_size()) > std::size(kAllInstruments)) {
    return Bad("too many instruments");
  }
  for (const pb::InstrumentAnswers& a : c.instruments()) {
    ATTUNE_ASSIGN_OR_RETURN(InstrumentId id,
                            InstrumentFromWire(static_cast<uint32_t>(a.instrument())));
    CheckInInput::Answers answers{id, {a.answers().begin(), a.answers().end()}, std::nullopt};
    if (a.has_difficulty()) answers.difficulty = a.difficulty();
    in.instruments.push_back(std::move(answers));
  }
  if (c.filled_at() > static_cast<uint64_t>(INT64_MAX)) return Bad("filled_at out of range");
  in.filled_at = static_cast<int64_t>(c.filled_at());
  in.utc_offset_seconds = c.utc_offset_seconds();
  in.help_now = c.help_now();
  in.urgent_claimed = c.urgent();
  if (!c.schedule_message_id().empty()) {
    ATTUNE_ASSIGN_OR_RETURN(in.schedule_message_id,
                            ParseMessageId(c.schedule_message_id(), "schedule_message_id"));
  }
  return CheckIn::Create(std::move(in));
}

Result<CheckInSchedule> ParseSchedule(const pb::CheckInSchedule& s) {
  CheckInSchedule out{{}, {}, Cadence::Parse("daily 00:00").value(), {}, s.active()};
  if (static_cast<size_t>(s.items_size()) > kMaxScheduleItems ||
      static_cast<size_t>(s.instruments_size()) > kMaxScheduleInstruments) {
    return Bad("schedule lists too many items");
  }
  for (int raw : s.items()) {
    if (raw < 1 || raw > 4) return Bad("unknown check-in item " + std::to_string(raw));
    const auto item = static_cast<CheckInItem>(raw);
    if (std::find(out.items.begin(), out.items.end(), item) != out.items.end()) {
      return Bad("check-in item listed twice");
    }
    out.items.push_back(item);
  }
  for (int raw : s.instruments()) {
    ATTUNE_ASSIGN_OR_RETURN(InstrumentId id, InstrumentFromWire(static_cast<uint32_t>(raw)));
    if (std::find(out.instruments.begin(), out.instruments.end(), id) != out.instruments.end()) {
      return Bad("instrument listed twice");
    }
    out.instruments.push_back(id);
  }
  if (s.active() && out.items.empty() && out.instruments.empty()) {
    return Bad("an active schedule must ask for something");
  }
  ATTUNE_ASSIGN_OR_RETURN(out.cadence, Cadence::Parse(s.cadence()));
  // Empty means "the client's device zone".
  if (!s.time_zone().empty()) ATTUNE_RETURN_IF_ERROR(ValidateTimeZoneName(s.time_zone()));
  out.time_zone = s.time_zone();
  return out;
}

Result<OfficeHours> ParseOfficeHours(const pb::OfficeHours& h) {
  if (static_cast<size_t>(h.windows_size()) > kMaxOfficeHoursWindows) {
    return Bad("too many office-hours windows");
  }
  std::vector<OfficeWindow> windows;
  for (const pb::OfficeHoursWindow& w : h.windows()) {
    const int day = static_cast<int>(w.day());
    if (day < 1 || day > 7) return Bad("office-hours window without a valid day");
    windows.push_back(OfficeWindow{static_cast<Weekday>(day), w.start_minute(), w.end_minute()});
  }
  return OfficeHours::Create(std::move(windows), h.time_zone(), h.expected_reply_hours(),
                             h.expected_reply_text(), h.auto_reply());
}

Result<CrisisResourceSet> ParseResources(const pb::CrisisResources& r) {
  if (static_cast<size_t>(r.resources_size()) > kMaxCrisisResources) {
    return Bad("too many crisis resources");
  }
  std::vector<CrisisResource> list;
  for (const pb::CrisisResource& e : r.resources()) {
    const int kind = static_cast<int>(e.kind());
    if (kind < 1 || kind > 4) return Bad("crisis resource with an unknown kind");
    list.push_back(
        CrisisResource{e.label(), e.contact(), static_cast<CrisisContactKind>(kind), e.note()});
  }
  return CrisisResourceSet::Create(r.locale(), std::move(list));
}

Result<Receipt> ParseReceipt(const pb::Receipt& r) {
  const int kind = static_cast<int>(r.kind());
  if (kind < 1 || kind > 2) return Bad("receipt with an unknown kind");
  if (r.message_ids_size() == 0 || static_cast<size_t>(r.message_ids_size()) > kMaxReceiptIds) {
    return Bad("a receipt names 1.." + std::to_string(kMaxReceiptIds) + " messages");
  }
  Receipt out{static_cast<ReceiptKind>(kind), {}};
  for (const std::string& id : r.message_ids()) {
    ATTUNE_ASSIGN_OR_RETURN(MessageId parsed, ParseMessageId(id, "receipt message id"));
    out.message_ids.push_back(parsed);
  }
  return out;
}

template <typename T>
Result<ContentBody> Wrap(Result<T> r) {
  if (!r.ok()) return r.error();
  return ContentBody(std::move(r).value());
}

Result<ContentBody> ParseBody(const pb::Content& c) {
  switch (c.body_case()) {
    case pb::Content::kText:
      return Wrap(ParseText(c.text()));
    case pb::Content::kCheckIn:
      return Wrap(ParseCheckIn(c.check_in()));
    case pb::Content::kCheckInSchedule:
      return Wrap(ParseSchedule(c.check_in_schedule()));
    case pb::Content::kOfficeHours:
      return Wrap(ParseOfficeHours(c.office_hours()));
    case pb::Content::kCrisisResources:
      return Wrap(ParseResources(c.crisis_resources()));
    case pb::Content::kReceipt:
      return Wrap(ParseReceipt(c.receipt()));
    default:
      return Bad("no therapy body");
  }
}

struct BodyToProto {
  pb::Content* out = nullptr;

  void operator()(const TextMessage& t) const { out->mutable_text()->set_body(t.body); }

  void operator()(const CheckIn& c) const {
    pb::CheckIn* p = out->mutable_check_in();
    if (c.mood()) p->set_mood(*c.mood());
    if (c.anxiety()) p->set_anxiety(*c.anxiety());
    if (c.sleep_minutes()) p->set_sleep_minutes(*c.sleep_minutes());
    p->set_note(c.note());
    for (const ValidatedAnswers& a : c.instruments()) {
      pb::InstrumentAnswers* pa = p->add_instruments();
      pa->set_instrument(static_cast<pb::Instrument>(a.instrument()));
      for (uint8_t v : a.answers()) pa->add_answers(v);
      if (a.difficulty()) pa->set_difficulty(*a.difficulty());
    }
    p->set_filled_at(static_cast<uint64_t>(c.filled_at()));
    p->set_utc_offset_seconds(c.utc_offset_seconds());
    p->set_help_now(c.help_now());
    // The sender's verdict travels with the answers; a receiver recomputes.
    p->set_urgent(AssessRisk(c).urgent);
    if (c.schedule_message_id()) p->set_schedule_message_id(IdString(*c.schedule_message_id()));
  }

  void operator()(const CheckInSchedule& s) const {
    pb::CheckInSchedule* p = out->mutable_check_in_schedule();
    for (CheckInItem item : s.items) p->add_items(static_cast<pb::CheckInItem>(item));
    for (InstrumentId id : s.instruments) p->add_instruments(static_cast<pb::Instrument>(id));
    p->set_cadence(s.cadence.ToString());
    p->set_time_zone(s.time_zone);
    p->set_active(s.active);
  }

  void operator()(const OfficeHours& h) const {
    pb::OfficeHours* p = out->mutable_office_hours();
    for (const OfficeWindow& w : h.windows()) {
      pb::OfficeHoursWindow* pw = p->add_windows();
      pw->set_day(static_cast<pb::Weekday>(w.day));
      pw->set_start_minute(w.start_minute);
      pw->set_end_minute(w.end_minute);
    }
    p->set_time_zone(h.time_zone());
    p->set_expected_reply_hours(h.expected_reply_hours());
    p->set_expected_reply_text(h.expected_reply_text());
    p->set_auto_reply(h.auto_reply());
  }

  void operator()(const CrisisResourceSet& r) const {
    pb::CrisisResources* p = out->mutable_crisis_resources();
    p->set_locale(r.locale());
    for (const CrisisResource& e : r.resources()) {
      pb::CrisisResource* pe = p->add_resources();
      pe->set_label(e.label);
      pe->set_contact(e.contact);
      pe->set_kind(static_cast<pb::CrisisResource::Kind>(e.kind));
      pe->set_note(e.note);
    }
  }

  void operator()(const Receipt& r) const {
    pb::Receipt* p = out->mutable_receipt();
    p->set_kind(static_cast<pb::Receipt::Kind>(r.kind));
    for (const MessageId& id : r.message_ids) p->add_message_ids(IdString(id));
  }
};

}  // namespace

Result<TextMessage> MakeTextMessage(std::string body) {
  ATTUNE_RETURN_IF_ERROR(internal::CheckText("text", body, kMaxTextBytes, true, true));
  return TextMessage{std::move(body)};
}

bool IsTherapyContent(const pb::Content& proto) {
  switch (proto.body_case()) {
    case pb::Content::kText:
    case pb::Content::kCheckIn:
    case pb::Content::kCheckInSchedule:
    case pb::Content::kOfficeHours:
    case pb::Content::kCrisisResources:
    case pb::Content::kReceipt:
      return true;
    default:
      return false;
  }
}

Result<ValidatedContent> FromProto(const pb::Content& proto) {
  ATTUNE_ASSIGN_OR_RETURN(MessageId id, ParseMessageId(proto.message_id(), "message_id"));
  ATTUNE_ASSIGN_OR_RETURN(ContentBody body, ParseBody(proto));
  return ValidatedContent{id, proto.sent_at(), std::move(body)};
}

Result<ValidatedContent> ParseContent(ByteView bytes) {
  pb::Content proto;
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Bad("not a Content message");
  }
  return FromProto(proto);
}

void ToProto(const ValidatedContent& content, pb::Content* out) {
  out->Clear();
  out->set_message_id(IdString(content.message_id));
  out->set_sent_at(content.sent_at);
  std::visit(BodyToProto{out}, content.body);
}

Bytes SerializeContent(const ValidatedContent& content) {
  pb::Content proto;
  ToProto(content, &proto);
  const std::string s = proto.SerializeAsString();
  return Bytes(s.begin(), s.end());
}

ValidatedContent NewContent(crypto::RandomSource& random, uint64_t now, ContentBody body) {
  ValidatedContent c{random.Array<kMessageIdSize>(), now, std::move(body)};
  return c;
}

Result<CheckInItem> ParseCheckInItem(std::string_view name) {
  if (name == "mood") return CheckInItem::kMood;
  if (name == "anxiety") return CheckInItem::kAnxiety;
  if (name == "sleep") return CheckInItem::kSleep;
  if (name == "note") return CheckInItem::kNote;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown check-in item (expected mood, anxiety, sleep or note)");
}

const char* CheckInItemName(CheckInItem item) {
  switch (item) {
    case CheckInItem::kMood:
      return "mood";
    case CheckInItem::kAnxiety:
      return "anxiety";
    case CheckInItem::kSleep:
      return "sleep";
    case CheckInItem::kNote:
      return "note";
  }
  return "unknown";
}

}  // namespace attune::therapy
