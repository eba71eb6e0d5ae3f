// A tiny, deterministic stand-in for libFuzzer so that every fuzz target runs
// under g++ and CTest with a fixed budget:
//
//   target [--runs=N] [--seconds=S] [--max-len=N] [--seed=N] [FILE|DIR]...
//
// It runs each seed file (FILE, or every regular file in DIR) once, then N
// further inputs: mutations of the seeds (bit flips, byte sets, inserts,
// erases, duplications, splices, boundary integers) and fresh pseudo-random
// inputs, all from a fixed PRNG seed so a failure reproduces exactly. It stops
// early, successfully, when S seconds have passed. `--runs=0 FILE` replays
// one input, e.g. the crash file this driver writes when the target dies.
//
// It is not coverage-guided; build with clang and -DATTUNE_LIBFUZZER=ON for
// real fuzzing (tests/fuzz/CMakeLists.txt).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));
// Present only in sanitizer builds: lets us save the input before ASan/UBSan
// terminate the process.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

using Input = std::vector<uint8_t>;

// --- crash capture ----------------------------------------------------------
// The input being run, for the signal handler. Everything the handler touches
// is prepared in advance; it only calls async-signal-safe functions.
const uint8_t* g_current = nullptr;
size_t g_current_size = 0;
char g_crash_path[512] = "fuzz-crash.bin";
char g_crash_message[1024] = "";

void SaveCurrentInput() {
  static volatile sig_atomic_t saved = 0;
  if (saved) return;
  saved = 1;
  int fd = open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    size_t done = 0;
    while (g_current != nullptr && done < g_current_size) {
      ssize_t n = write(fd, g_current + done, g_current_size - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fd);
  }
  ssize_t ignored = write(STDERR_FILENO, g_crash_message, strlen(g_crash_message));
  (void)ignored;
}

void OnFatalSignal(int sig) {
  SaveCurrentInput();
  signal(sig, SIG_DFL);
  raise(sig);
}

void CopyTruncated(const std::string& from, char* to, size_t capacity) {
  const size_t n = std::min(from.size(), capacity - 1);
  std::memcpy(to, from.data(), n);
  to[n] = '\0';
}

void InstallCrashCapture(const char* argv0) {
  const std::string name = std::filesystem::path(argv0).filename().string();
  const std::string path = "crash-" + name + ".bin";
  CopyTruncated(path, g_crash_path, sizeof(g_crash_path));
  const std::string absolute = (std::filesystem::current_path() / path).string();
  CopyTruncated("\nfuzz: " + name + " crashed; input saved to " + absolute +
                    "\nfuzz: reproduce with: " + argv0 + " --runs=0 " + absolute + "\n",
                g_crash_message, sizeof(g_crash_message));
  for (int sig : {SIGSEGV, SIGABRT, SIGFPE, SIGILL, SIGBUS}) signal(sig, OnFatalSignal);
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(SaveCurrentInput);
}

void RunOne(const Input& input) {
  // Copy to an exactly-sized heap buffer so ASan sees reads past the end.
  uint8_t* copy = static_cast<uint8_t*>(std::malloc(input.empty() ? 1 : input.size()));
  if (!input.empty()) std::memcpy(copy, input.data(), input.size());
  g_current = copy;
  g_current_size = input.size();
  LLVMFuzzerTestOneInput(copy, input.size());
  g_current = nullptr;
  std::free(copy);
}

// --- deterministic input generation -----------------------------------------
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  uint8_t Byte() { return static_cast<uint8_t>(Next()); }

 private:
  uint64_t state_ = 0;
};

constexpr uint8_t kInterestingBytes[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff,
                                         '0',  '9',  'a',  'f',  'g',  '{',  '\n'};
constexpr uint64_t kInterestingInts[] = {
    0,      1,       0x7f,       0x80,       0xff,       0x100,       0x7fff,      0x8000,
    0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, ~uint64_t{0}};

Input RandomInput(SplitMix64& rng, size_t max_len) {
  const size_t len =
      rng.Below(2) == 0 ? rng.Below(std::min<size_t>(max_len, 64) + 1) : rng.Below(max_len + 1);
  Input out(len);
  const bool printable = rng.Below(4) == 0;  // text decoders need text
  for (auto& b : out) b = printable ? static_cast<uint8_t>(0x20 + rng.Below(95)) : rng.Byte();
  return out;
}

void MutateOnce(Input& in, const std::vector<Input>& seeds, SplitMix64& rng, size_t max_len) {
  switch (rng.Below(9)) {
    case 0:  // flip a bit
      if (!in.empty()) in[rng.Below(in.size())] ^= static_cast<uint8_t>(1u << rng.Below(8));
      break;
    case 1:  // set a random byte
      if (!in.empty()) in[rng.Below(in.size())] = rng.Byte();
      break;
    case 2:  // set an interesting byte
      if (!in.empty()) {
        in[rng.Below(in.size())] = kInterestingBytes[rng.Below(std::size(kInterestingBytes))];
      }
      break;
    case 3: {  // insert 1..8 random bytes
      const size_t n = 1 + rng.Below(8);
      const size_t at = rng.Below(in.size() + 1);
      Input bytes(n);
      for (auto& b : bytes) b = rng.Byte();
      in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin(), bytes.end());
      break;
    }
    case 4:  // erase a range
      if (!in.empty()) {
        const size_t at = rng.Below(in.size());
        const size_t n = 1 + rng.Below(in.size() - at);
        in.erase(in.begin() + static_cast<std::ptrdiff_t>(at),
                 in.begin() + static_cast<std::ptrdiff_t>(at + n));
      }
      break;
    case 5:  // duplicate a range somewhere else
      if (!in.empty()) {
        const size_t from = rng.Below(in.size());
        const size_t n = 1 + rng.Below(std::min<size_t>(in.size() - from, 64));
        const Input chunk(in.begin() + static_cast<std::ptrdiff_t>(from),
                          in.begin() + static_cast<std::ptrdiff_t>(from + n));
        const size_t at = rng.Below(in.size() + 1);
        in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), chunk.begin(), chunk.end());
      }
      break;
    case 6:  // truncate
      in.resize(rng.Below(in.size() + 1));
      break;
    case 7: {  // splice: our prefix, another seed's suffix
      const Input& other = seeds[rng.Below(seeds.size())];
      const size_t keep = rng.Below(in.size() + 1);
      const size_t from = rng.Below(other.size() + 1);
      in.resize(keep);
      in.insert(in.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
      break;
    }
    default: {  // overwrite 1, 2, 4 or 8 bytes with a boundary integer
      const size_t width = size_t{1} << rng.Below(4);
      if (in.size() < width) break;
      const uint64_t v = kInterestingInts[rng.Below(std::size(kInterestingInts))];
      const size_t at = rng.Below(in.size() - width + 1);
      const bool big_endian = rng.Below(2) == 0;
      for (size_t i = 0; i < width; ++i) {
        const size_t shift = 8 * (big_endian ? width - 1 - i : i);
        in[at + i] = static_cast<uint8_t>(v >> shift);
      }
      break;
    }
  }
  if (in.size() > max_len) in.resize(max_len);
}

bool ReadFile(const std::filesystem::path& path, Input& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

bool ParseNumber(const char* arg, const char* flag, uint64_t& out) {
  const size_t n = std::strlen(flag);
  if (std::strncmp(arg, flag, n) != 0) return false;
  char* end = nullptr;
  out = std::strtoull(arg + n, &end, 10);
  if (end == arg + n || *end != '\0') {
    std::fprintf(stderr, "fuzz: bad value in %s\n", arg);
    std::exit(2);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t runs = 20000, seconds = 10, max_len = 4096, seed = 0x417474756e65ULL;  // "Attune"
  std::vector<std::filesystem::path> paths;
  for (int i = 1; i < argc; ++i) {
    if (ParseNumber(argv[i], "--runs=", runs) || ParseNumber(argv[i], "--seconds=", seconds) ||
        ParseNumber(argv[i], "--max-len=", max_len) || ParseNumber(argv[i], "--seed=", seed)) {
      continue;
    }
    if (std::strncmp(argv[i], "--", 2) == 0) {
      std::fprintf(stderr, "fuzz: unknown option %s\n", argv[i]);
      return 2;
    }
    paths.emplace_back(argv[i]);
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  InstallCrashCapture(argv[0]);

  std::vector<Input> seeds;
  for (const auto& p : paths) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(p, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());  // directory order is not stable
    } else {
      files.push_back(p);
    }
    for (const auto& f : files) {
      Input in;
      if (!ReadFile(f, in)) {
        std::fprintf(stderr, "fuzz: cannot read %s\n", f.c_str());
        return 2;
      }
      seeds.push_back(std::move(in));
    }
  }

  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  for (const auto& s : seeds) RunOne(s);

  SplitMix64 rng(seed);
  uint64_t mutated = 0, random = 0, done = 0;
  for (; done < runs; ++done) {
    if (std::chrono::steady_clock::now() > deadline) break;  // cheap next to any target
    Input in;
    if (!seeds.empty() && rng.Below(4) != 0) {
      in = seeds[rng.Below(seeds.size())];
      for (size_t n = 1 + rng.Below(4); n > 0; --n) MutateOnce(in, seeds, rng, max_len);
      ++mutated;
    } else {
      in = RandomInput(rng, max_len);
      ++random;
    }
    RunOne(in);
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("fuzz: %s: %zu seeds, %llu mutated, %llu random inputs in %.2f s%s\n",
              std::filesystem::path(argv[0]).filename().c_str(), seeds.size(),
              static_cast<unsigned long long>(mutated), static_cast<unsigned long long>(random),
              elapsed, done < runs ? " (stopped at the time budget)" : "");
  return 0;
}
