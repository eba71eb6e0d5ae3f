#include "attune/client/store/key_params.h"

#include <charconv>
#include <vector>

namespace attune::client::store {
namespace {

constexpr std::string_view kKdfLine = "kdf argon2id13";

// Splits on '\n'; the text must end with one and hold no empty line.
std::optional<std::vector<std::string_view>> SplitLines(std::string_view text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == start) return std::nullopt;
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string_view> Field(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() + 1 || line.substr(0, name.size()) != name ||
      line[name.size()] != ' ') {
    return std::nullopt;
  }
  return line.substr(name.size() + 1);
}

// Lower-case hex only, so that the file has one canonical form.
std::optional<Bytes> LowerHexField(std::string_view line, std::string_view name, size_t size) {
  auto hex = Field(line, name);
  if (!hex || hex->size() != 2 * size) return std::nullopt;
  for (char c : *hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return FromHex(*hex);
}

Error MalformedKeyParams() {
  return MakeError(ErrorCode::kInvalidArgument, "the profile's keyparams file is malformed");
}

}  // namespace

KeyParams KeyParams::Fresh(crypto::RandomSource& random, KdfStrength strength) {
  KeyParams p;
  random.Fill(p.salt);
  p.argon2 = strength == KdfStrength::kModerate ? crypto::Argon2idParams::Moderate()
                                                : crypto::Argon2idParams::Interactive();
  return p;
}

std::string KeyParams::Serialize() const {
  std::string out;
  out += kKeyParamsMagic;
  out += '\n';
  out += kKdfLine;
  out += "\nsalt ";
  out += ToHex(salt);
  out += "\nopslimit " + std::to_string(argon2.ops_limit);
  out += "\nmemlimit " + std::to_string(argon2.mem_limit);
  out += "\ncheck ";
  out += ToHex(check);
  out += '\n';
  return out;
}

Result<KeyParams> KeyParams::Parse(std::string_view text) {
  if (text.size() > kKeyParamsMaxFileSize) return MalformedKeyParams();
  auto lines = SplitLines(text);
  if (!lines || lines->empty()) return MalformedKeyParams();
  if ((*lines)[0] != kKeyParamsMagic) {
    if ((*lines)[0].starts_with("attune-keyparams ")) {
      return MakeError(ErrorCode::kUnsupportedVersion,
                       "the profile's keyparams file is from a newer Attune");
    }
    return MalformedKeyParams();
  }
  if (lines->size() != 6 || (*lines)[1] != kKdfLine) return MalformedKeyParams();
  auto salt = LowerHexField((*lines)[2], "salt", crypto::kArgon2SaltSize);
  auto ops = Field((*lines)[3], "opslimit");
  auto mem = Field((*lines)[4], "memlimit");
  auto check = LowerHexField((*lines)[5], "check", 16);
  if (!salt || !ops || !mem || !check) return MalformedKeyParams();
  auto ops_v = ParseDecimal(*ops);
  auto mem_v = ParseDecimal(*mem);
  if (!ops_v || !mem_v) return MalformedKeyParams();
  KeyParams p;
  std::copy(salt->begin(), salt->end(), p.salt.begin());
  std::copy(check->begin(), check->end(), p.check.begin());
  p.argon2 = {*ops_v, *mem_v};
  const auto floor = crypto::Argon2idParams::Interactive();
  // A file edited to trivial limits would make a stolen database cheap to
  // brute-force; refuse anything below libsodium's INTERACTIVE limits.
  if (!p.argon2.IsValid() || p.argon2.ops_limit < floor.ops_limit ||
      p.argon2.mem_limit < floor.mem_limit) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the profile's keyparams file has Argon2id limits out of range");
  }
  return p;
}

bool KeyParams::IsWeakerThanModerate() const {
  const auto moderate = crypto::Argon2idParams::Moderate();
  return argon2.ops_limit < moderate.ops_limit || argon2.mem_limit < moderate.mem_limit;
}

}  // namespace attune::client::store
