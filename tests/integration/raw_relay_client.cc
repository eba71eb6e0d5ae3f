#include "raw_relay_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "attune/crypto/random.h"

namespace attune::testing {
namespace {

using Clock = std::chrono::steady_clock;

Error IoError(std::string message) { return MakeError(ErrorCode::kIoError, std::move(message)); }

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

Result<RawRelayClient> RawRelayClient::Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return IoError("connect failed");
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return RawRelayClient(fd);
}

RawRelayClient::RawRelayClient(RawRelayClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      decoder_(std::move(other.decoder_)),
      session_(std::move(other.session_)),
      handshake_hash_(other.handshake_hash_) {}

RawRelayClient::~RawRelayClient() {
  if (fd_ >= 0) ::close(fd_);
}

Status RawRelayClient::WriteRaw(ByteView bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write failed (relay closed?)");
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

void RawRelayClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

Result<Bytes> RawRelayClient::ReadFrame(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto next = decoder_.Next();
    if (!next.ok()) return IoError("bad frame from relay");
    if (next->has_value()) return std::move(**next);
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, RemainingMs(deadline));
    if (r == 0) return IoError("timed out");
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError("poll failed");
    }
    uint8_t buffer[65536];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return IoError("relay closed the connection");
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("relay reset the connection");
    }
    decoder_.Feed(ByteView(buffer, static_cast<size_t>(n)));
  }
}

Status RawRelayClient::Handshake(const crypto::X25519PublicKey& relay_public_key,
                                 std::chrono::milliseconds timeout) {
  auto hs = noise::Handshake::Initiator(relay_public_key, AsBytes(noise::kRelayPrologue),
                                        crypto::SystemRandom());
  ATTUNE_ASSIGN_OR_RETURN(Bytes message1, hs.WriteMessage({}));
  ATTUNE_RETURN_IF_ERROR(WriteRaw(noise::EncodeFrame(message1)));
  ATTUNE_ASSIGN_OR_RETURN(Bytes message2, ReadFrame(timeout));
  ATTUNE_RETURN_IF_ERROR(hs.ReadMessage(message2));
  ATTUNE_ASSIGN_OR_RETURN(noise::TransportSession session, hs.Finish());
  handshake_hash_ = session.handshake_hash();
  session_.emplace(std::move(session));
  return Status::Ok();
}

Status RawRelayClient::SendPlaintext(ByteView plaintext) {
  if (!session_) return MakeError(ErrorCode::kInternal, "no session");
  ATTUNE_ASSIGN_OR_RETURN(Bytes ciphertext, session_->Encrypt(plaintext));
  return WriteRaw(noise::EncodeFrame(ciphertext));
}

Result<mailbox::RelayMessage> RawRelayClient::Receive(std::chrono::milliseconds timeout) {
  if (!session_) return MakeError(ErrorCode::kInternal, "no session");
  ATTUNE_ASSIGN_OR_RETURN(Bytes frame, ReadFrame(timeout));
  ATTUNE_ASSIGN_OR_RETURN(Bytes plaintext, session_->Decrypt(frame));
  return mailbox::ParseRelayFrame(plaintext);
}

bool RawRelayClient::WaitForClose(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  uint8_t buffer[65536];
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, RemainingMs(deadline));
    if (r == 0) return false;
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR && errno != EAGAIN) return true;  // reset
  }
}

}  // namespace attune::testing
