// CSV export (RFC 4180) and its strict parser. Column list:
// docs/design/therapy.md, "Export".
#include <charconv>
#include <cstdio>

#include "attune/client/therapy/export.h"
#include "export_common.h"

namespace attune::therapy {
namespace {

using internal::Bad;

constexpr const char* kFixedColumns[] = {"message_id",
                                         "direction",
                                         "time",
                                         "sent_at",
                                         "delivered",
                                         "acknowledged_at",
                                         "kind",
                                         "text",
                                         "mood",
                                         "anxiety",
                                         "sleep_minutes",
                                         "note",
                                         "filled_at",
                                         "utc_offset_seconds",
                                         "help_now",
                                         "urgent_claimed",
                                         "schedule_message_id",
                                         "urgent"};
constexpr size_t kFixedCount = std::size(kFixedColumns);
constexpr size_t kPerInstrument = 4;  // answers, difficulty, total, band
// ISO 8601 with offset beside the unix seconds (for people and
// spreadsheets); written, not read back: the unix columns are authoritative.
constexpr const char* kLocalColumns[] = {"time_local", "sent_at_local", "acknowledged_at_local",
                                         "filled_at_local"};
constexpr size_t kInstrumentEnd = kFixedCount + kPerInstrument * std::size(kAllInstruments);
constexpr size_t kColumnCount = kInstrumentEnd + std::size(kLocalColumns);

std::string ColumnPrefix(InstrumentId id) {
  std::string out;
  for (char c : GetInstrument(id).short_name) {
    if (c != '-') out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

std::vector<std::string> HeaderRow() {
  std::vector<std::string> h(std::begin(kFixedColumns), std::end(kFixedColumns));
  for (InstrumentId id : kAllInstruments) {
    const std::string p = ColumnPrefix(id);
    h.push_back(p + "_answers");
    h.push_back(p + "_difficulty");
    h.push_back(p + "_total");
    h.push_back(p + "_band");
  }
  h.insert(h.end(), std::begin(kLocalColumns), std::end(kLocalColumns));
  return h;
}

// Formula-injection guard, reversible: see export.h.
std::string GuardFreeText(const std::string& s) {
  if (!s.empty() && std::string_view("=+-@\t\r'").find(s.front()) != std::string_view::npos) {
    return "'" + s;
  }
  return s;
}
std::string UnguardFreeText(std::string s) {
  if (!s.empty() && s.front() == '\'') s.erase(0, 1);
  return s;
}

std::string OptOrEmpty(std::optional<uint32_t> v) { return v ? std::to_string(*v) : ""; }
const char* Bool(bool b) { return b ? "true" : "false"; }

// ---- parsing ----

// Splits RFC 4180 records. Accepts CRLF or LF record ends; a quote inside
// an unquoted field or text after a closing quote is an error.
Result<std::vector<std::vector<std::string>>> SplitCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool at_field_start = true;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    at_field_start = true;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (at_field_start && c == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) return Bad("unterminated quoted field");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(text[i++]);
      }
      at_field_start = false;
      if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
        return Bad("text after a closing quote in row " + std::to_string(rows.size() + 1));
      }
      continue;
    }
    if (c == ',') {
      end_field();
      ++i;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) return Bad("bare CR");
      i += c == '\r' ? 2 : 1;
      end_field();
      rows.push_back(std::move(row));
      row.clear();
    } else if (c != '"') {
      field.push_back(c);
      at_field_start = false;
      ++i;
    } else {
      return Bad("quote inside an unquoted field in row " + std::to_string(rows.size() + 1));
    }
  }
  if (!at_field_start || !field.empty() || !row.empty()) {
    end_field();
    rows.push_back(std::move(row));
  }
  return rows;
}

template <typename T>
Result<T> ParseInt(const std::string& s, const std::string& where) {
  T v{};
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end) return Bad(where + ": bad number");
  return v;
}

Result<std::optional<uint32_t>> ParseOpt(const std::string& s, const std::string& where) {
  if (s.empty()) return std::optional<uint32_t>();
  ATTUNE_ASSIGN_OR_RETURN(uint32_t v, ParseInt<uint32_t>(s, where));
  return std::optional<uint32_t>(v);
}

Result<bool> ParseBool(const std::string& s, const std::string& where) {
  if (s == "true") return true;
  if (s == "false") return false;
  return Bad(where + ": expected true or false");
}

}  // namespace

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string ExportCsv(const ConversationExport& conversation) {
  std::string out;
  auto write_row = [&out](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += CsvField(row[i]);
    }
    out += "\r\n";
  };
  write_row(HeaderRow());
  for (const HistoryEntry& e : conversation.entries) {
    std::vector<std::string> row(kColumnCount);
    row[0] = ToHex(e.message_id);
    row[1] = internal::DirectionName(e.direction);
    row[2] = std::to_string(e.time);
    row[3] = std::to_string(e.sent_at);
    row[4] = Bool(e.delivered);
    row[5] = e.acknowledged_at ? std::to_string(*e.acknowledged_at) : "";
    const int32_t offset = conversation.utc_offset_seconds;
    row[kInstrumentEnd] = internal::IsoTime(e.time, offset);
    row[kInstrumentEnd + 1] = internal::IsoTime(static_cast<int64_t>(e.sent_at), offset);
    row[kInstrumentEnd + 2] =
        e.acknowledged_at ? internal::IsoTime(*e.acknowledged_at, offset) : "";
    if (const auto* t = std::get_if<TextMessage>(&e.body)) {
      row[6] = "text";
      row[7] = GuardFreeText(t->body);
    } else {
      const CheckIn& c = std::get<CheckIn>(e.body);
      row[6] = "check_in";
      row[8] = OptOrEmpty(c.mood());
      row[9] = OptOrEmpty(c.anxiety());
      row[10] = OptOrEmpty(c.sleep_minutes());
      row[11] = GuardFreeText(c.note());
      row[12] = std::to_string(c.filled_at());
      row[13] = std::to_string(c.utc_offset_seconds());
      row[14] = Bool(c.help_now());
      row[15] = Bool(c.urgent_claimed());
      row[16] = c.schedule_message_id() ? ToHex(*c.schedule_message_id()) : "";
      row[17] = Bool(AssessRisk(c).urgent);
      row[kInstrumentEnd + 3] = internal::IsoTime(c.filled_at(), c.utc_offset_seconds());
      size_t col = kFixedCount;
      for (InstrumentId id : kAllInstruments) {
        if (const ValidatedAnswers* a = c.Find(id)) {
          std::string answers;
          for (uint8_t v : a->answers()) {
            if (!answers.empty()) answers.push_back(' ');
            answers += std::to_string(v);
          }
          const Score s = ScoreAnswers(*a);
          row[col] = answers;
          row[col + 1] = a->difficulty() ? std::to_string(*a->difficulty()) : "";
          row[col + 2] = std::to_string(s.total);
          row[col + 3] = std::string(s.band);
        }
        col += kPerInstrument;
      }
    }
    write_row(row);
  }
  return out;
}

Result<std::vector<HistoryEntry>> ParseCsvExport(std::string_view text) {
  if (text.size() > kMaxExportBytes) return Bad("export too large");
  ATTUNE_ASSIGN_OR_RETURN(auto rows, SplitCsv(text));
  if (rows.empty() || rows[0] != HeaderRow()) return Bad("missing or unexpected header row");
  std::vector<HistoryEntry> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string>& row = rows[r];
    const std::string where = "row " + std::to_string(r + 1);
    if (row.size() != kColumnCount) return Bad(where + ": wrong number of fields");
    HistoryEntry e;
    ATTUNE_ASSIGN_OR_RETURN(e.message_id, internal::ParseIdHex(row[0], where));
    ATTUNE_ASSIGN_OR_RETURN(e.direction, internal::ParseDirection(row[1], where));
    ATTUNE_ASSIGN_OR_RETURN(e.time, ParseInt<int64_t>(row[2], where + " time"));
    ATTUNE_ASSIGN_OR_RETURN(e.sent_at, ParseInt<uint64_t>(row[3], where + " sent_at"));
    ATTUNE_ASSIGN_OR_RETURN(e.delivered, ParseBool(row[4], where + " delivered"));
    if (!row[5].empty()) {
      ATTUNE_ASSIGN_OR_RETURN(e.acknowledged_at, ParseInt<int64_t>(row[5], where + " ack"));
    }
    if (row[6] == "text") {
      for (size_t i = 8; i < kInstrumentEnd; ++i) {
        if (!row[i].empty()) return Bad(where + ": check-in fields on a text row");
      }
      ATTUNE_ASSIGN_OR_RETURN(e.body, internal::MakeText(UnguardFreeText(row[7]), where));
    } else if (row[6] == "check_in") {
      if (!row[7].empty()) return Bad(where + ": text on a check-in row");
      CheckInInput in;
      ATTUNE_ASSIGN_OR_RETURN(in.mood, ParseOpt(row[8], where + " mood"));
      ATTUNE_ASSIGN_OR_RETURN(in.anxiety, ParseOpt(row[9], where + " anxiety"));
      ATTUNE_ASSIGN_OR_RETURN(in.sleep_minutes, ParseOpt(row[10], where + " sleep"));
      in.note = UnguardFreeText(row[11]);
      ATTUNE_ASSIGN_OR_RETURN(in.filled_at, ParseInt<int64_t>(row[12], where + " filled_at"));
      ATTUNE_ASSIGN_OR_RETURN(in.utc_offset_seconds,
                              ParseInt<int32_t>(row[13], where + " utc_offset"));
      ATTUNE_ASSIGN_OR_RETURN(in.help_now, ParseBool(row[14], where + " help_now"));
      ATTUNE_ASSIGN_OR_RETURN(in.urgent_claimed, ParseBool(row[15], where + " urgent_claimed"));
      if (!row[16].empty()) {
        ATTUNE_ASSIGN_OR_RETURN(in.schedule_message_id, internal::ParseIdHex(row[16], where));
      }
      size_t col = kFixedCount;
      for (InstrumentId id : kAllInstruments) {
        const std::string w = where + " " + ColumnPrefix(id);
        if (!row[col].empty()) {
          CheckInInput::Answers a{id, {}, std::nullopt};
          for (const std::string_view token : [&] {
                 std::vector<std::string_view> parts;
                 std::string_view s = row[col];
                 size_t pos = 0;
                 while (pos <= s.size()) {
                   size_t sp = s.find(' ', pos);
                   if (sp == std::string_view::npos) sp = s.size();
                   parts.push_back(s.substr(pos, sp - pos));
                   pos = sp + 1;
                 }
                 return parts;
               }()) {
            ATTUNE_ASSIGN_OR_RETURN(uint32_t v, ParseInt<uint32_t>(std::string(token), w));
            a.values.push_back(v);
            if (a.values.size() > 16) return Bad(w + ": too many answers");
          }
          ATTUNE_ASSIGN_OR_RETURN(a.difficulty, ParseOpt(row[col + 1], w + " difficulty"));
          in.instruments.push_back(std::move(a));
        } else if (!row[col + 1].empty() || !row[col + 2].empty() || !row[col + 3].empty()) {
          return Bad(w + ": score without answers");
        }
        col += kPerInstrument;
      }
      ATTUNE_ASSIGN_OR_RETURN(CheckIn c, CheckIn::Create(std::move(in)));
      col = kFixedCount;
      for (InstrumentId id : kAllInstruments) {
        if (const ValidatedAnswers* a = c.Find(id)) {
          const Score s = ScoreAnswers(*a);
          if (row[col + 2] != std::to_string(s.total) || row[col + 3] != s.band) {
            return Bad(where + ": written " + std::string(a->spec().short_name) +
                       " score does not match its answers");
          }
        }
        col += kPerInstrument;
      }
      ATTUNE_ASSIGN_OR_RETURN(bool urgent, ParseBool(row[17], where + " urgent"));
      if (urgent != AssessRisk(c).urgent) return Bad(where + ": urgent flag does not match");
      e.body = std::move(c);
    } else {
      return Bad(where + ": unknown kind");
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace attune::therapy
