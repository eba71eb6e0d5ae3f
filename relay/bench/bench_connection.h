// One asynchronous client connection for attune-relay-bench: TCP, the
// Noise_NK handshake, then framed requests out and parsed relay frames in.
// Thousands of these share one single-threaded io_context, so the load
// generator spends as little CPU as possible next to the relay it measures.
//
// Writes are coalesced: frames queued while a write is in progress go out
// together in the next write (one syscall for many small requests).
//
// Thread safety: none; everything runs on the io_context's thread. The
// object must outlive every operation it started (the bench keeps all
// connections until the io_context has stopped).
#pragma once

#include <asio.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "attune/base/bytes.h"
#include "attune/base/result.h"
#include "attune/crypto/random.h"
#include "attune/net/relay_codec.h"
#include "attune/net/relay_connection.h"
#include "attune/noise/framing.h"
#include "attune/noise/handshake.h"

namespace attune::bench {

class BenchConnection {
 public:
  using ResponseHandler = std::function<void(const net::RelayResponse&)>;
  using DeliveryHandler = std::function<void(net::Delivery&&)>;
  using ErrorHandler = std::function<void(const Error&)>;

  // read_buffer_size: small for idle connections, larger for busy ones.
  BenchConnection(asio::io_context& io, const net::RelayEndpoint& endpoint,
                  size_t read_buffer_size);

  // Connects and completes the handshake; `done` gets the outcome.
  void Start(crypto::RandomSource& random, std::function<void(Status)> done);

  // Encrypts one ClientFrame plaintext and queues it.
  void Send(ByteView plaintext);

  void on_response(ResponseHandler h) { on_response_ = std::move(h); }
  void on_delivery(DeliveryHandler h) { on_delivery_ = std::move(h); }
  void on_error(ErrorHandler h) { on_error_ = std::move(h); }

  const net::HandshakeHash& handshake_hash() const { return handshake_hash_; }
  bool failed() const { return failed_; }
  void Close();

 private:
  void Fail(const Error& e);
  void ReadMore();
  void OnRead(size_t n);
  void Flush();

  net::RelayEndpoint endpoint_{};
  asio::ip::tcp::socket socket_;
  std::optional<noise::Handshake> handshake_{};
  std::optional<noise::TransportSession> session_{};
  std::function<void(Status)> connected_;
  noise::FrameDecoder decoder_{};
  Bytes read_buffer_{};
  Bytes writing_{};
  Bytes queued_{};
  bool write_in_progress_ = false;
  bool failed_ = false;
  net::HandshakeHash handshake_hash_{};
  ResponseHandler on_response_{};
  DeliveryHandler on_delivery_{};
  ErrorHandler on_error_{};
};

}  // namespace attune::bench
