#include "attune/client/therapy/render.h"

#include <cstdio>

#include "attune/therapy/civil_time.h"
#include "attune/therapy/time_zone.h"

namespace attune::therapy {
namespace {

constexpr const char* kBlocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                   "\u2585", "\u2586", "\u2587", "\u2588"};

// Display width of UTF-8 text, counting code points (all our table text
// is narrow).
size_t Width(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string Pad(std::string s, size_t width) {
  const size_t w = Width(s);
  if (w < width) s.append(width - w, ' ');
  return s;
}

std::string OptOrDash(std::optional<uint32_t> v) { return v ? std::to_string(*v) : "-"; }

std::string Hours(std::optional<uint32_t> minutes) {
  if (!minutes) return "-";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%u:%02u", *minutes / 60, *minutes % 60);
  return buf;
}

}  // namespace

std::string Sparkline(std::span<const std::optional<uint32_t>> values, uint32_t max) {
  std::string out;
  for (const std::optional<uint32_t>& v : values) {
    if (!v) {
      out += ' ';
      continue;
    }
    const uint32_t clamped = *v > max ? max : *v;
    // Round to the nearest of 8 levels: 0 -> lowest, max -> highest.
    const uint32_t level = (clamped * 7 * 2 + max) / (2 * max);
    out += kBlocks[level];
  }
  return out;
}

std::string FormatScore(const ValidatedAnswers& answers) {
  const Score s = ScoreAnswers(answers);
  return std::string(answers.spec().short_name) + " " + std::to_string(s.total) + "/" +
         std::to_string(s.max_total) + " " + std::string(s.band);
}

std::string TruncateText(std::string_view text, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (chars == max_chars) {
        // Drop the last code point to make room for the ellipsis.
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
          out.pop_back();
        }
        if (!out.empty()) out.pop_back();
        return out + "\u2026";
      }
      ++chars;
    }
    out += (text[i] == '\n' || text[i] == '\t') ? ' ' : text[i];
  }
  return out;
}

std::string FormatFilledAt(const CheckIn& check_in) {
  const LocalTime local{check_in.filled_at() + check_in.utc_offset_seconds()};
  return FormatLocalMinute(local) + " (UTC" + FormatUtcOffset(check_in.utc_offset_seconds()) + ")";
}

std::string RenderCheckInTable(const std::vector<HistoryEntry>& entries) {
  std::vector<const HistoryEntry*> rows;
  for (const HistoryEntry& e : entries) {
    if (std::holds_alternative<CheckIn>(e.body)) rows.push_back(&e);
  }
  if (rows.empty()) return "No check-ins yet.\n";

  // Instrument columns in a fixed order, only those that appear.
  std::vector<InstrumentId> columns;
  for (InstrumentId id : kAllInstruments) {
    for (const HistoryEntry* e : rows) {
      if (std::get<CheckIn>(e->body).Find(id) != nullptr) {
        columns.push_back(id);
        break;
      }
    }
  }

  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header = {"Filled in (client time)", "Mood", "Anx", "Sleep"};
  for (InstrumentId id : columns) header.emplace_back(GetInstrument(id).short_name);
  header.emplace_back("Flag");
  header.emplace_back("Note");
  table.push_back(header);
  for (const HistoryEntry* e : rows) {
    const CheckIn& c = std::get<CheckIn>(e->body);
    std::vector<std::string> row = {FormatFilledAt(c), OptOrDash(c.mood()), OptOrDash(c.anxiety()),
                                    Hours(c.sleep_minutes())};
    for (InstrumentId id : columns) {
      const ValidatedAnswers* a = c.Find(id);
      if (a == nullptr) {
        row.emplace_back("-");
      } else {
        const Score s = ScoreAnswers(*a);
        row.push_back(std::to_string(s.total) + " " + std::string(s.band));
      }
    }
    const RiskAssessment risk = AssessRisk(c);
    row.emplace_back(!risk.urgent ? "" : e->acknowledged_at ? "urgent (ack)" : "URGENT");
    row.push_back(TruncateText(c.note(), 40));
    table.push_back(std::move(row));
  }

  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : table) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  std::string out;
  for (size_t r = 0; r < table.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < table[r].size(); ++i) {
      line += i + 1 == table[r].size() ? table[r][i] : Pad(table[r][i], widths[i]) + "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }

  // Sparklines, oldest to newest, each on its own fixed scale.
  out += "\n";
  auto series = [&](const std::string& label, uint32_t max, auto get) {
    std::vector<std::optional<uint32_t>> values;
    bool any = false;
    for (const HistoryEntry* e : rows) {
      values.push_back(get(std::get<CheckIn>(e->body)));
      any = any || values.back().has_value();
    }
    if (any) {
      out += Pad(label, 8) + Sparkline(values, max) + "  (0-" + std::to_string(max) + ")\n";
    }
  };
  series("Mood", kMaxMood, [](const CheckIn& c) { return c.mood(); });
  series("Anxiety", kMaxAnxiety, [](const CheckIn& c) { return c.anxiety(); });
  for (InstrumentId id : columns) {
    series(std::string(GetInstrument(id).short_name), GetInstrument(id).max_total(),
           [id](const CheckIn& c) -> std::optional<uint32_t> {
             const ValidatedAnswers* a = c.Find(id);
             if (a == nullptr) return std::nullopt;
             return ScoreAnswers(*a).total;
           });
  }
  return out;
}

}  // namespace attune::therapy
