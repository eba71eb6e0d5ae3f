// Relay connections opened on demand, one per relay endpoint, for the
// one-shot commands (send, sync, invite, accept). `attune watch` uses
// net::ReconnectingRelay instead.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "attune/base/result.h"
#include "attune/client/store/records.h"
#include "attune/crypto/random.h"
#include "attune/net/relay_connection.h"

namespace attune::client {

inline constexpr std::chrono::milliseconds kConnectTimeout{5000};

net::RelayEndpoint ToEndpoint(const store::RelayRoute& route);
store::RelayRoute ToRoute(const net::RelayEndpoint& endpoint);

class RelayPool {
 public:
  explicit RelayPool(crypto::RandomSource& random) : random_(random) {}

  // The open connection to `endpoint`, connecting if needed (a dead one is
  // replaced). Errors: those of net::RelayConnection::Connect.
  Result<net::RelayConnection*> Get(const net::RelayEndpoint& endpoint);
  // Forgets a connection after it failed.
  void Drop(const net::RelayEndpoint& endpoint);

 private:
  using Key = std::tuple<std::string, uint16_t, ByteArray<32>>;
  crypto::RandomSource& random_;
  std::map<Key, std::unique_ptr<net::RelayConnection>> connections_{};
};

}  // namespace attune::client
