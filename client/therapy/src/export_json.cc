// JSON export and its strict parser (format: docs/design/therapy.md,
// "Export"). nlohmann::json is used without exceptions: parse with
// allow_exceptions = false and check every type before reading.
#include <nlohmann/json.hpp>

#include "attune/client/therapy/export.h"
#include "export_common.h"

namespace attune::therapy {
namespace {

using internal::Bad;
using nlohmann::json;

json OptU(std::optional<uint32_t> v) { return v ? json(*v) : json(nullptr); }

json CheckInJson(const CheckIn& c) {
  json j;
  j["mood"] = OptU(c.mood());
  j["anxiety"] = OptU(c.anxiety());
  j["sleep_minutes"] = OptU(c.sleep_minutes());
  j["note"] = c.note();
  j["filled_at"] = c.filled_at();
  j["filled_at_local"] = internal::IsoTime(c.filled_at(), c.utc_offset_seconds());
  j["utc_offset_seconds"] = c.utc_offset_seconds();
  j["help_now"] = c.help_now();
  j["urgent_claimed"] = c.urgent_claimed();
  j["schedule_message_id"] =
      c.schedule_message_id() ? json(ToHex(*c.schedule_message_id())) : json(nullptr);
  const RiskAssessment risk = AssessRisk(c);
  j["urgent"] = risk.urgent;
  j["risk"] = DescribeRisk(risk, c);
  json instruments = json::array();
  for (const ValidatedAnswers& a : c.instruments()) {
    const Score s = ScoreAnswers(a);
    json ja;
    ja["instrument"] = std::string(a.spec().short_name);
    ja["answers"] = json::array();
    for (uint8_t v : a.answers()) ja["answers"].push_back(v);
    ja["difficulty"] = a.difficulty() ? json(*a.difficulty()) : json(nullptr);
    ja["total"] = s.total;
    ja["max_total"] = s.max_total;
    ja["band"] = std::string(s.band);
    ja["positive"] = s.positive ? json(*s.positive) : json(nullptr);
    instruments.push_back(std::move(ja));
  }
  j["instruments"] = std::move(instruments);
  return j;
}

// ---- strict readers ----
Result<const json*> Field(const json& obj, const char* key, const std::string& where) {
  if (!obj.is_object()) return Bad(where + " is not an object");
  auto it = obj.find(key);
  if (it == obj.end()) return Bad(where + " lacks \"" + key + "\"");
  return &*it;
}

Result<int64_t> GetInt(const json& obj, const char* key, const std::string& where) {
  ATTUNE_ASSIGN_OR_RETURN(const json* v, Field(obj, key, where));
  if (v->is_number_unsigned()) {
    if (v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return Bad(where + "." + key);
    return static_cast<int64_t>(v->get<uint64_t>());
  }
  if (!v->is_number_integer()) return Bad(where + "." + key + " is not an integer");
  return v->get<int64_t>();
}

Result<std::optional<uint32_t>> GetOptU32(const json& obj, const char* key,
                                          const std::string& where) {
  ATTUNE_ASSIGN_OR_RETURN(const json* v, Field(obj, key, where));
  if (v->is_null()) return std::optional<uint32_t>();
  if (!v->is_number_unsigned() || v->get<uint64_t>() > UINT32_MAX) {
    return Bad(where + "." + key + " is not a small non-negative integer");
  }
  return std::optional<uint32_t>(static_cast<uint32_t>(v->get<uint64_t>()));
}

Result<bool> GetBool(const json& obj, const char* key, const std::string& where) {
  ATTUNE_ASSIGN_OR_RETURN(const json* v, Field(obj, key, where));
  if (!v->is_boolean()) return Bad(where + "." + key + " is not a boolean");
  return v->get<bool>();
}

Result<std::string> GetString(const json& obj, const char* key, const std::string& where) {
  ATTUNE_ASSIGN_OR_RETURN(const json* v, Field(obj, key, where));
  if (!v->is_string()) return Bad(where + "." + key + " is not a string");
  return v->get<std::string>();
}

Result<CheckIn> ParseCheckInJson(const json& j, const std::string& where) {
  CheckInInput in;
  ATTUNE_ASSIGN_OR_RETURN(in.mood, GetOptU32(j, "mood", where));
  ATTUNE_ASSIGN_OR_RETURN(in.anxiety, GetOptU32(j, "anxiety", where));
  ATTUNE_ASSIGN_OR_RETURN(in.sleep_minutes, GetOptU32(j, "sleep_minutes", where));
  ATTUNE_ASSIGN_OR_RETURN(in.note, GetString(j, "note", where));
  ATTUNE_ASSIGN_OR_RETURN(in.filled_at, GetInt(j, "filled_at", where));
  ATTUNE_ASSIGN_OR_RETURN(int64_t offset, GetInt(j, "utc_offset_seconds", where));
  if (offset < INT32_MIN || offset > INT32_MAX) return Bad(where + ".utc_offset_seconds");
  in.utc_offset_seconds = static_cast<int32_t>(offset);
  ATTUNE_ASSIGN_OR_RETURN(in.help_now, GetBool(j, "help_now", where));
  ATTUNE_ASSIGN_OR_RETURN(in.urgent_claimed, GetBool(j, "urgent_claimed", where));
  ATTUNE_ASSIGN_OR_RETURN(const json* sid, Field(j, "schedule_message_id", where));
  if (!sid->is_null()) {
    if (!sid->is_string()) return Bad(where + ".schedule_message_id");
    ATTUNE_ASSIGN_OR_RETURN(in.schedule_message_id,
                            internal::ParseIdHex(sid->get<std::string>(), where));
  }
  ATTUNE_ASSIGN_OR_RETURN(const json* list, Field(j, "instruments", where));
  if (!list->is_array() || list->size() > std::size(kAllInstruments)) {
    return Bad(where + ".instruments is not a short array");
  }
  std::vector<Score> written;
  for (const json& ja : *list) {
    const std::string w = where + ".instruments";
    ATTUNE_ASSIGN_OR_RETURN(std::string name, GetString(ja, "instrument", w));
    ATTUNE_ASSIGN_OR_RETURN(InstrumentId id, ParseInstrumentName(name));
    ATTUNE_ASSIGN_OR_RETURN(const json* answers, Field(ja, "answers", w));
    if (!answers->is_array() || answers->size() > 16) return Bad(w + ".answers");
    CheckInInput::Answers a{id, {}, std::nullopt};
    for (const json& v : *answers) {
      if (!v.is_number_unsigned() || v.get<uint64_t>() > 3) return Bad(w + ".answers value");
      a.values.push_back(static_cast<uint32_t>(v.get<uint64_t>()));
    }
    ATTUNE_ASSIGN_OR_RETURN(a.difficulty, GetOptU32(ja, "difficulty", w));
    ATTUNE_ASSIGN_OR_RETURN(int64_t total, GetInt(ja, "total", w));
    ATTUNE_ASSIGN_OR_RETURN(std::string band, GetString(ja, "band", w));
    written.push_back(Score{id, static_cast<uint32_t>(total), 0, {}, std::nullopt});
    in.instruments.push_back(std::move(a));
  }
  ATTUNE_ASSIGN_OR_RETURN(CheckIn c, CheckIn::Create(std::move(in)));
  // Scores are derived: the file must agree with the answers.
  for (size_t i = 0; i < written.size(); ++i) {
    const Score s = ScoreAnswers(c.instruments()[i]);
    const std::string band = (*list)[i]["band"].get<std::string>();
    if (s.total != written[i].total || s.band != band) {
      return Bad(where + ": written " + std::string(c.instruments()[i].spec().short_name) +
                 " score does not match its answers");
    }
  }
  ATTUNE_ASSIGN_OR_RETURN(bool urgent, GetBool(j, "urgent", where));
  if (urgent != AssessRisk(c).urgent) return Bad(where + ": urgent flag does not match");
  return c;
}

}  // namespace

std::string ExportJson(const ConversationExport& conversation) {
  json root;
  root["format"] = "attune-export";
  root["version"] = 1;
  root["contact"] = conversation.contact;
  root["self_role"] = conversation.self_role;
  root["exported_at"] = conversation.exported_at;
  root["exported_at_local"] =
      internal::IsoTime(conversation.exported_at, conversation.utc_offset_seconds);
  root["utc_offset_seconds"] = conversation.utc_offset_seconds;
  root["instrument_attribution"] = std::string(kPhqGadAttribution);
  json entries = json::array();
  for (const HistoryEntry& e : conversation.entries) {
    json j;
    j["message_id"] = ToHex(e.message_id);
    j["direction"] = internal::DirectionName(e.direction);
    const int32_t offset = conversation.utc_offset_seconds;
    j["time"] = e.time;
    j["time_local"] = internal::IsoTime(e.time, offset);
    j["sent_at"] = e.sent_at;
    j["sent_at_local"] = internal::IsoTime(static_cast<int64_t>(e.sent_at), offset);
    j["delivered"] = e.delivered;
    j["acknowledged_at"] = e.acknowledged_at ? json(*e.acknowledged_at) : json(nullptr);
    j["acknowledged_at_local"] =
        e.acknowledged_at ? json(internal::IsoTime(*e.acknowledged_at, offset)) : json(nullptr);
    if (const auto* t = std::get_if<TextMessage>(&e.body)) {
      j["kind"] = "text";
      j["text"] = t->body;
    } else {
      j["kind"] = "check_in";
      j["check_in"] = CheckInJson(std::get<CheckIn>(e.body));
    }
    entries.push_back(std::move(j));
  }
  root["messages"] = std::move(entries);
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<ConversationExport> ParseJsonExport(std::string_view text) {
  if (text.size() > kMaxExportBytes) return Bad("export too large");
  const json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return Bad("not a JSON object");
  ATTUNE_ASSIGN_OR_RETURN(std::string format, GetString(root, "format", "export"));
  ATTUNE_ASSIGN_OR_RETURN(int64_t version, GetInt(root, "version", "export"));
  if (format != "attune-export") return Bad("not an Attune export");
  if (version != 1) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unsupported export version");
  }
  ConversationExport out;
  ATTUNE_ASSIGN_OR_RETURN(out.contact, GetString(root, "contact", "export"));
  ATTUNE_ASSIGN_OR_RETURN(out.self_role, GetString(root, "self_role", "export"));
  ATTUNE_ASSIGN_OR_RETURN(out.exported_at, GetInt(root, "exported_at", "export"));
  if (root.contains("utc_offset_seconds")) {
    ATTUNE_ASSIGN_OR_RETURN(int64_t offset, GetInt(root, "utc_offset_seconds", "export"));
    if (offset < -kMaxUtcOffsetSeconds || offset > kMaxUtcOffsetSeconds) {
      return Bad("utc_offset_seconds out of range");
    }
    out.utc_offset_seconds = static_cast<int32_t>(offset);
  }
  ATTUNE_ASSIGN_OR_RETURN(const json* messages, Field(root, "messages", "export"));
  if (!messages->is_array()) return Bad("messages is not an array");
  for (size_t i = 0; i < messages->size(); ++i) {
    const json& j = (*messages)[i];
    const std::string where = "message " + std::to_string(i + 1);
    HistoryEntry e;
    ATTUNE_ASSIGN_OR_RETURN(std::string id, GetString(j, "message_id", where));
    ATTUNE_ASSIGN_OR_RETURN(e.message_id, internal::ParseIdHex(id, where));
    ATTUNE_ASSIGN_OR_RETURN(std::string direction, GetString(j, "direction", where));
    ATTUNE_ASSIGN_OR_RETURN(e.direction, internal::ParseDirection(direction, where));
    ATTUNE_ASSIGN_OR_RETURN(e.time, GetInt(j, "time", where));
    ATTUNE_ASSIGN_OR_RETURN(int64_t sent_at, GetInt(j, "sent_at", where));
    if (sent_at < 0) return Bad(where + ".sent_at is negative");
    e.sent_at = static_cast<uint64_t>(sent_at);
    ATTUNE_ASSIGN_OR_RETURN(e.delivered, GetBool(j, "delivered", where));
    ATTUNE_ASSIGN_OR_RETURN(const json* ack, Field(j, "acknowledged_at", where));
    if (!ack->is_null()) {
      ATTUNE_ASSIGN_OR_RETURN(e.acknowledged_at, GetInt(j, "acknowledged_at", where));
    }
    ATTUNE_ASSIGN_OR_RETURN(std::string kind, GetString(j, "kind", where));
    if (kind == "text") {
      ATTUNE_ASSIGN_OR_RETURN(std::string body, GetString(j, "text", where));
      ATTUNE_ASSIGN_OR_RETURN(e.body, internal::MakeText(std::move(body), where));
    } else if (kind == "check_in") {
      ATTUNE_ASSIGN_OR_RETURN(const json* c, Field(j, "check_in", where));
      ATTUNE_ASSIGN_OR_RETURN(e.body, ParseCheckInJson(*c, where));
    } else {
      return Bad(where + ": unknown kind");
    }
    out.entries.push_back(std::move(e));
  }
  return out;
}

}  // namespace attune::therapy
