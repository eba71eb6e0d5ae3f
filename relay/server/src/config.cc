#include "attune/relay/server/config.h"

#include <toml++/toml.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "asio/ip/address.hpp"
#include "attune/relay/store/pg_store.h"

namespace attune::relay {
namespace {

Error Invalid(const std::string& what) { return MakeError(ErrorCode::kInvalidArgument, what); }

// One known key: reads and range-checks a value into the config.
using Setter = std::function<Status(const toml::node&, const std::string& name)>;

Setter Uint(uint64_t& out, uint64_t min, uint64_t max) {
  return [&out, min, max](const toml::node& n, const std::string& name) -> Status {
    auto v = n.value_exact<int64_t>();
    if (!v) return Invalid(name + " must be an integer");
    if (*v < 0 || static_cast<uint64_t>(*v) < min || static_cast<uint64_t>(*v) > max) {
      return Invalid(name + " must be between " + std::to_string(min) + " and " +
                     std::to_string(max));
    }
    out = static_cast<uint64_t>(*v);
    return Status::Ok();
  };
}

Setter Size(size_t& out, uint64_t min, uint64_t max) {
  return [&out, min, max](const toml::node& n, const std::string& name) -> Status {
    uint64_t v = 0;
    ATTUNE_RETURN_IF_ERROR(Uint(v, min, max)(n, name));
    out = static_cast<size_t>(v);
    return Status::Ok();
  };
}

Setter Rate(double& out, uint64_t min, uint64_t max) {
  return [&out, min, max](const toml::node& n, const std::string& name) -> Status {
    uint64_t v = 0;
    ATTUNE_RETURN_IF_ERROR(Uint(v, min, max)(n, name));
    out = static_cast<double>(v);
    return Status::Ok();
  };
}

Setter String(std::string& out) {
  return [&out](const toml::node& n, const std::string& name) -> Status {
    auto v = n.value_exact<std::string>();
    if (!v) return Invalid(name + " must be a string");
    out = *v;
    return Status::Ok();
  };
}

constexpr uint64_t kDay = kSecondsPerDay;
constexpr uint64_t kBig = uint64_t{1} << 40;

}  // namespace

Result<ServerConfig> ParseConfig(std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config line " << e.source().begin.line << ", column " << e.source().begin.column << ": "
        << e.description();
    return Invalid(msg.str());
  }

  ServerConfig c;
  uint64_t port = c.port;
  std::string log_level = "info";
  std::string backend = "sqlite";
  std::string connection;
  std::string password_file;
  MailboxLimits& m = c.mailbox;
  ConnectionLimits& l = c.limits;
  const std::map<std::string, std::map<std::string, Setter>> sections = {
      {"listen", {{"address", String(c.listen_address)}, {"port", Uint(port, 0, 65535)}}},
      {"storage", {{"data_dir", String(c.data_dir)}}},
      {"log", {{"level", String(log_level)}}},
      {"store",
       {{"backend", String(backend)},
        {"connection", String(connection)},
        {"password_file", String(password_file)}}},
      {"mailbox",
       {{"message_ttl_seconds", Uint(m.message_ttl_seconds, 1, 3650 * kDay)},
        {"ticket_ttl_seconds", Uint(m.ticket_ttl_seconds, 1, 3650 * kDay)},
        {"purge_interval_seconds", Uint(m.purge_interval_seconds, 1, kDay)},
        {"max_messages_per_mailbox", Uint(m.max_messages_per_mailbox, 1, 100000000)},
        {"max_bytes_per_mailbox", Uint(m.max_bytes_per_mailbox, 1, kBig)},
        {"max_blob_size", Size(m.max_blob_size, 1, kMaxBlobSize)}}},
      {"limits",
       {{"max_connections", Size(l.max_connections, 1, 1000000)},
        {"max_frame_size", Size(l.max_frame_size, 64, kMaxFrameSize)},
        {"handshake_timeout_ms", Uint(l.handshake_timeout_ms, 10, 600000)},
        {"idle_timeout_seconds", Uint(l.idle_timeout_seconds, 1, kDay)},
        {"write_timeout_seconds", Uint(l.write_timeout_seconds, 1, kDay)},
        {"handshakes_per_second", Rate(l.handshakes_per_second, 1, 1000000)},
        {"handshake_burst", Rate(l.handshake_burst, 1, 1000000)},
        {"requests_per_second", Rate(l.requests_per_second, 1, 10000000)},
        {"request_burst", Rate(l.request_burst, 1, 10000000)},
        {"max_pending_requests", Size(l.max_pending_requests, 1, 100000)},
        {"max_subscriptions_per_connection", Size(l.max_subscriptions_per_connection, 1, 10000)},
        {"delivery_window", Size(l.delivery_window, 1, 10000)},
        {"max_write_queue_bytes", Size(l.max_write_queue_bytes, 2 * (kMaxFrameSize + 2), kBig)},
        {"max_pending_handshakes", Size(l.max_pending_handshakes, 1, 1000000)},
        {"max_connections_per_address", Size(l.max_connections_per_address, 1, 1000000)},
        {"handshakes_per_second_per_address",
         Rate(l.handshakes_per_second_per_address, 1, 1000000)},
        {"handshake_burst_per_address", Rate(l.handshake_burst_per_address, 1, 1000000)},
        {"max_queued_operations", Size(l.max_queued_operations, 1, 10000000)},
        {"max_queued_bytes", Size(l.max_queued_bytes, kMaxFrameSize, kBig)}}},
  };

  for (auto&& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    auto known = sections.find(section);
    if (known == sections.end()) return Invalid("unknown config section [" + section + "]");
    const toml::table* table = section_node.as_table();
    if (table == nullptr) return Invalid(section + " must be a table");
    for (auto&& [key, node] : *table) {
      const std::string name = section + "." + std::string(key.str());
      auto setter = known->second.find(std::string(key.str()));
      if (setter == known->second.end()) return Invalid("unknown config key " + name);
      ATTUNE_RETURN_IF_ERROR(setter->second(node, name));
    }
  }

  c.port = static_cast<uint16_t>(port);
  if (c.data_dir.empty()) return Invalid("storage.data_dir is required");
  auto level = ParseLogLevel(log_level);
  if (!level) return Invalid("log.level must be error, warn, info or debug");
  c.log_level = *level;
  if (backend == "postgres") {
    if (connection.empty()) return Invalid("store.connection is required for backend postgres");
    auto conninfo = BuildPostgresConninfo(connection, password_file);
    if (!conninfo.ok()) return conninfo.error();
    c.store.backend = StoreBackend::kPostgres;
    c.store.conninfo = *conninfo;
  } else {
    if (backend != "sqlite") return Invalid("store.backend must be sqlite or postgres");
    if (!connection.empty() || !password_file.empty()) {
      return Invalid("store.connection and store.password_file need backend = \"postgres\"");
    }
  }
  std::error_code ec;
  asio::ip::make_address(c.listen_address, ec);
  if (ec) return Invalid("listen.address is not an IP address");
  if (l.max_frame_size < m.max_blob_size + kSendFrameOverhead) {
    return Invalid("limits.max_frame_size must be at least mailbox.max_blob_size + " +
                   std::to_string(kSendFrameOverhead));
  }
  return c;
}

Result<ServerConfig> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIoError, "cannot read config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kIoError, "cannot read config file " + path);
  return ParseConfig(text.str());
}

}  // namespace attune::relay
