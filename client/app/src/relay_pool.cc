#include "attune/client/relay_pool.h"

namespace attune::client {

net::RelayEndpoint ToEndpoint(const store::RelayRoute& route) {
  return net::RelayEndpoint{route.host, route.port, route.relay_public_key};
}

store::RelayRoute ToRoute(const net::RelayEndpoint& endpoint) {
  return store::RelayRoute{endpoint.host, endpoint.port, endpoint.relay_public_key};
}

Result<net::RelayConnection*> RelayPool::Get(const net::RelayEndpoint& endpoint) {
  Key key{endpoint.host, endpoint.port, endpoint.relay_public_key};
  auto it = connections_.find(key);
  if (it != connections_.end() && it->second->is_open()) return it->second.get();
  ATTUNE_ASSIGN_OR_RETURN(auto connection,
                          net::RelayConnection::Connect(endpoint, kConnectTimeout, random_));
  net::RelayConnection* raw = connection.get();
  connections_[key] = std::move(connection);
  return raw;
}

void RelayPool::Drop(const net::RelayEndpoint& endpoint) {
  connections_.erase(Key{endpoint.host, endpoint.port, endpoint.relay_public_key});
}

}  // namespace attune::client
