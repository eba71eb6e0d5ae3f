#include "admin_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>

#include "attune/base/bytes.h"
#include "attune/crypto/random.h"
#include "attune/crypto/secret.h"
#include "attune/crypto/util.h"
#include "attune/crypto/x25519.h"
#include "attune/mailbox/enrollment.h"
#include "attune/mailbox/hashes.h"
#include "attune/relay/core/mailbox_logic.h"
#include "attune/relay/server/config.h"
#include "attune/relay/server/key_file.h"
#include "attune/relay/store/pg_store.h"
#include "attune/relay/store/sqlite_store.h"

namespace attune::relay::cli {
namespace {

uint64_t UnixNow() { return static_cast<uint64_t>(std::time(nullptr)); }

std::string Date(uint64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

Result<std::unique_ptr<MailboxStore>> OpenStore(const StoreLocation& where) {
  ATTUNE_ASSIGN_OR_RETURN(OpenedStore opened, OpenAdminStore(where));
  return std::move(opened.store);
}

// Writes a secret as hex + newline to stdout without it ever sitting in a
// std::string; the buffer is wiped afterwards.
bool WriteSecretHexLine(ByteView secret) {
  static constexpr char kDigits[] = "0123456789abcdef";
  crypto::SecretBytes line(secret.size() * 2 + 1);
  for (size_t i = 0; i < secret.size(); ++i) {
    line.data()[2 * i] = static_cast<uint8_t>(kDigits[secret[i] >> 4]);
    line.data()[2 * i + 1] = static_cast<uint8_t>(kDigits[secret[i] & 15]);
  }
  line.data()[line.size() - 1] = '\n';
  std::fflush(stdout);
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(STDOUT_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool InitCrypto() {
  if (!crypto::Init().ok()) {
    PrintError("cannot initialise libsodium");
    return false;
  }
  return true;
}

}  // namespace

void PrintError(const std::string& message) {
  std::cerr << "attune-relay: error: " << message << std::endl;
}

int Keygen(const std::string& data_dir) {
  if (!InitCrypto()) return kExitError;
  if (auto st = EnsureDataDir(data_dir); !st.ok()) {
    PrintError(st.error().message);
    return kExitError;
  }
  crypto::X25519KeyPair key = crypto::GenerateX25519KeyPair(crypto::SystemRandom());
  if (auto st = WriteNewKeyFile(KeyFilePath(data_dir), key); !st.ok()) {
    PrintError(st.error().message);
    return kExitError;
  }
  std::cout << ToHex(key.public_key) << std::endl;
  return kExitOk;
}

int PrintPublicKey(const std::string& data_dir) {
  if (!InitCrypto()) return kExitError;
  auto key = ReadKeyFile(KeyFilePath(data_dir));
  if (!key.ok()) {
    PrintError(key.error().message);
    return kExitError;
  }
  std::cout << ToHex(key->public_key) << std::endl;
  return kExitOk;
}

namespace {

struct Issued {
  int64_t id = 0;
  uint64_t expires_at = 0;
  crypto::SecretArray<kTokenSize> token{};
};

// Mints a credential (only its hash is stored). Prints its own error.
std::optional<Issued> Issue(const StoreLocation& where, uint64_t uses, uint64_t expires_in_days) {
  auto store = OpenStore(where);
  if (!store.ok()) {
    PrintError(store.error().message);
    return std::nullopt;
  }
  Issued out;
  out.token = crypto::SystemRandom().Secret<kTokenSize>();
  out.expires_at = UnixNow() + expires_in_days * kSecondsPerDay;
  auto id =
      (*store)->InsertCredential(mailbox::CredentialHash(out.token.view()), uses, out.expires_at);
  if (!id.ok()) {
    PrintError(id.error().message);
    return std::nullopt;
  }
  out.id = *id;
  return out;
}

bool ValidIssueLimits(uint64_t uses, uint64_t expires_in_days) {
  if (uses == 0 || expires_in_days == 0 || expires_in_days > 36500) {
    PrintError("--uses must be >= 1 and --expires-in between 1 and 36500 days");
    return false;
  }
  return true;
}

void PrintIssued(const Issued& issued, uint64_t uses) {
  std::cerr << "credential " << issued.id << " issued: " << uses << " uses, expires "
            << Date(issued.expires_at) << std::endl;
}

bool WriteAll(int fd, ByteView bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int CredentialIssue(const StoreLocation& where, uint64_t uses, uint64_t expires_in_days) {
  if (!InitCrypto()) return kExitError;
  if (!ValidIssueLimits(uses, expires_in_days)) return kExitUsage;
  auto issued = Issue(where, uses, expires_in_days);
  if (!issued) return kExitError;
  if (!WriteSecretHexLine(issued->token.view())) {
    PrintError("cannot write the credential to stdout; revoke credential " +
               std::to_string(issued->id));
    return kExitError;
  }
  PrintIssued(*issued, uses);
  return kExitOk;
}

int EnrollmentIssue(const StoreLocation& where, const std::string& address, uint64_t uses,
                    uint64_t expires_in_days, const std::string& out_file) {
  if (!InitCrypto()) return kExitError;
  if (!ValidIssueLimits(uses, expires_in_days)) return kExitUsage;
  mailbox::Enrollment enrollment;
  if (auto host_port = mailbox::ParseRelayAddress(address); host_port.ok()) {
    enrollment.host = host_port->first;
    enrollment.port = host_port->second;
  } else {
    PrintError(host_port.error().message);
    return kExitUsage;
  }
  // The key the relay serves with: from --data-dir, or the config's data dir.
  std::string data_dir = where.data_dir;
  if (!where.config_path.empty()) {
    auto config = LoadConfigFile(where.config_path);
    if (!config.ok()) {
      PrintError(config.error().message);
      return kExitError;
    }
    data_dir = config->data_dir;
  }
  auto key = ReadKeyFile(KeyFilePath(data_dir));
  if (!key.ok()) {
    PrintError(key.error().message + " (run `attune-relay keygen` first)");
    return kExitError;
  }
  enrollment.relay_public_key = key->public_key;
  // Refuse a bad address before a credential is minted for nothing.
  if (auto probe = mailbox::EncodeEnrollment(enrollment); !probe.ok()) {
    PrintError(probe.error().message);
    return kExitUsage;
  }
  int fd = STDOUT_FILENO;
  if (!out_file.empty()) {
    // 0600 and never over an existing file: the code holds a credential.
    fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      PrintError("cannot create " + out_file + ": " + std::strerror(errno) +
                 " (it must not exist yet)");
      return kExitError;
    }
  }
  auto issued = Issue(where, uses, expires_in_days);
  if (!issued) {
    if (fd != STDOUT_FILENO) {
      ::close(fd);
      ::unlink(out_file.c_str());
    }
    return kExitError;
  }
  enrollment.credential = std::move(issued->token);
  auto text = mailbox::EncodeEnrollment(enrollment);
  bool written = text.ok();
  std::fflush(stdout);
  if (written) written = WriteAll(fd, text->view()) && WriteAll(fd, AsBytes("\n"));
  if (fd != STDOUT_FILENO) written = (::fsync(fd) == 0) && written;
  if (fd != STDOUT_FILENO) written = (::close(fd) == 0) && written;
  if (!written) {
    if (fd != STDOUT_FILENO) ::unlink(out_file.c_str());
    PrintError("cannot write the enrollment code; revoke credential " + std::to_string(issued->id));
    return kExitError;
  }
  PrintIssued(*issued, uses);
  if (!out_file.empty()) std::cerr << "enrollment code written to " << out_file << std::endl;
  return kExitOk;
}

int CredentialList(const StoreLocation& where) {
  auto store = OpenStore(where);
  if (!store.ok()) {
    PrintError(store.error().message);
    return kExitError;
  }
  auto list = (*store)->ListCredentials();
  if (!list.ok()) {
    PrintError(list.error().message);
    return kExitError;
  }
  const uint64_t now = UnixNow();
  std::cout << "ID\tUSES_LEFT\tEXPIRES\tSTATUS\n";
  for (const CredentialRecord& c : *list) {
    const char* status = c.revoked             ? "revoked"
                         : now >= c.expires_at ? "expired"
                         : c.uses_left == 0    ? "used-up"
                                               : "active";
    std::cout << c.id << '\t' << c.uses_left << '\t' << Date(c.expires_at) << '\t' << status
              << '\n';
  }
  std::cout.flush();
  return kExitOk;
}

int CredentialRevoke(const StoreLocation& where, int64_t id) {
  auto store = OpenStore(where);
  if (!store.ok()) {
    PrintError(store.error().message);
    return kExitError;
  }
  // Revocation and deleting its tickets happen together or not at all.
  if (auto st = (*store)->Begin(); !st.ok()) {
    PrintError(st.error().message);
    return kExitError;
  }
  auto found = (*store)->RevokeCredential(id);
  if (auto st = (*store)->Commit(); found.ok() && !st.ok()) found = st.error();
  if (!found.ok()) {
    PrintError(found.error().message);
    return kExitError;
  }
  if (!*found) {
    PrintError("no credential with id " + std::to_string(id));
    return kExitError;
  }
  std::cerr << "credential " << id << " revoked" << std::endl;
  return kExitOk;
}

int DbMigrate(const std::string& config_path) {
  auto config = LoadConfigFile(config_path);
  if (!config.ok()) {
    PrintError(config.error().message);
    return kExitError;
  }
  if (config->store.backend == StoreBackend::kSqlite) {
    // The SQLite store creates its schema when it opens the file.
    auto store = OpenStore(StoreLocation{config->data_dir, ""});
    if (!store.ok()) {
      PrintError(store.error().message);
      return kExitError;
    }
    std::cout << "sqlite schema version " << kSchemaVersion << std::endl;
    return kExitOk;
  }
  auto before = MigratePostgres(config->store.conninfo);
  if (!before.ok()) {
    PrintError(before.error().message);
    return kExitError;
  }
  std::cout << "postgres schema version " << *before << " -> " << PostgresSchemaVersion()
            << std::endl;
  return kExitOk;
}

}  // namespace attune::relay::cli
