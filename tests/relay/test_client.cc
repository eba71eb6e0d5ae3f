#include "test_client.h"

#include <poll.h>

#include "asio/write.hpp"
#include "attune/crypto/random.h"
#include "attune/noise/framing.h"

namespace attune::relay::testing {

TestClient::TestClient(uint16_t port) : socket_(io_) {
  std::error_code ec;
  socket_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
}

TestClient::TestClient(uint16_t port, const crypto::X25519PublicKey& relay_key) : TestClient(port) {
  if (!socket_.is_open()) return;
  auto hs = noise::Handshake::Initiator(relay_key, AsBytes(noise::kRelayPrologue),
                                        crypto::SystemRandom());
  auto m1 = hs.WriteMessage({});
  if (!m1.ok() || !SendRaw(noise::EncodeFrame(*m1))) return;
  uint8_t hdr[2];
  if (!ReadExact(hdr, 2, std::chrono::seconds(5))) return;
  Bytes m2(ReadU16BE(hdr));
  if (!ReadExact(m2.data(), m2.size(), std::chrono::seconds(5))) return;
  if (!hs.ReadMessage(m2).ok()) return;
  auto session = hs.Finish();
  if (session.ok()) session_.emplace(std::move(session).value());
}

bool TestClient::SendRaw(ByteView bytes) {
  std::error_code ec;
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

bool TestClient::SendPlaintext(ByteView plaintext) {
  auto ct = session_->Encrypt(plaintext);
  return ct.ok() && SendRaw(noise::EncodeFrame(*ct));
}

bool TestClient::SendFrame(const v1::ClientFrame& frame) {
  std::string s = frame.SerializeAsString();
  return SendPlaintext(AsBytes(s));
}

bool TestClient::ReadExact(uint8_t* out, size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t got = 0;
  while (got < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
    std::error_code ec;
    size_t r = socket_.read_some(asio::buffer(out + got, n - got), ec);
    if (ec) return false;
    got += r;
  }
  return true;
}

std::optional<v1::RelayFrame> TestClient::Read(std::chrono::milliseconds timeout) {
  uint8_t hdr[2];
  if (!ReadExact(hdr, 2, timeout)) return std::nullopt;
  Bytes ct(ReadU16BE(hdr));
  if (!ReadExact(ct.data(), ct.size(), timeout)) return std::nullopt;
  auto pt = session_->Decrypt(ct);
  if (!pt.ok()) return std::nullopt;
  v1::RelayFrame frame;
  if (!frame.ParseFromArray(pt->data(), static_cast<int>(pt->size()))) return std::nullopt;
  return frame;
}

std::optional<v1::Response> TestClient::Call(const v1::ClientFrame& frame,
                                             std::vector<v1::Delivery>* deliveries) {
  if (!SendFrame(frame)) return std::nullopt;
  for (int i = 0; i < 10000; ++i) {
    auto f = Read();
    if (!f) return std::nullopt;
    if (f->has_delivery()) {
      if (deliveries != nullptr) deliveries->push_back(f->delivery());
      continue;
    }
    if (f->response().request_id() == frame.request_id()) return f->response();
  }
  return std::nullopt;
}

bool TestClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
    std::error_code ec;
    socket_.read_some(asio::buffer(buf), ec);
    if (ec) return true;  // EOF or reset
  }
}

}  // namespace attune::relay::testing
