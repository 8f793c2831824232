#include "src/http/testing.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"

namespace accord::http::testing {

std::optional<RawConnection> RawConnection::Open(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  return RawConnection(fd);
}

RawConnection::RawConnection(RawConnection&& other) noexcept
    : fd_(other.fd_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void RawConnection::ShutdownSend() { ::shutdown(fd_, SHUT_WR); }

long RawConnection::Fill(absl::Time deadline, bool* timed_out) {
  *timed_out = false;
  while (true) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) {
      *timed_out = true;
      return -1;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    buffer_.append(chunk, static_cast<size_t>(n));
    return n;
  }
}

absl::StatusOr<RawResponse> RawConnection::Read(absl::Duration timeout, bool no_body) {
  const absl::Time deadline = absl::Now() + timeout;
  bool timed_out = false;
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    const long n = Fill(deadline, &timed_out);
    if (timed_out) return absl::DeadlineExceededError("no complete response head");
    if (n <= 0)
      return absl::UnavailableError(
          absl::StrCat("closed before a response; got \"", buffer_, "\""));
  }
  RawResponse r;
  const std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  r.status_line = head.substr(0, line_end);
  if (r.status_line.size() < 12) return absl::InternalError("bad status line " + r.status_line);
  r.status = std::stoi(r.status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t v = colon + 1;
    while (v < line.size() && line[v] == ' ') ++v;
    r.headers.Add(line.substr(0, colon), line.substr(v));
  }
  const size_t length =
      no_body ? 0 : std::stoul(std::string(r.headers.Get("Content-Length").value_or("0")));
  while (buffer_.size() < length) {
    const long n = Fill(deadline, &timed_out);
    if (timed_out) return absl::DeadlineExceededError("body incomplete");
    if (n <= 0) return absl::UnavailableError("closed inside a body");
  }
  r.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return r;
}

bool RawConnection::WaitClosed(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  bool timed_out = false;
  while (true) {
    buffer_.clear();
    const long n = Fill(deadline, &timed_out);
    if (timed_out) return false;
    if (n <= 0) return true;
  }
}

absl::StatusOr<RawResponse> Exchange(uint16_t port, std::string_view request) {
  auto c = RawConnection::Open(port);
  if (!c) return absl::UnavailableError("cannot connect");
  if (!c->Send(request)) return absl::UnavailableError("cannot send");
  return c->Read();
}

CannedServer::CannedServer(std::string reply) : reply_(std::move(reply)) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("CannedServer");
    std::abort();
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

CannedServer::~CannedServer() {
  ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
  thread_.join();
  ::close(fd_);
}

void CannedServer::Serve() {
  while (true) {
    const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    RawConnection conn(c);
    std::string head;
    char chunk[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      head.append(chunk, static_cast<size_t>(n));
    }
    conn.Send(reply_);
  }
}

std::unique_ptr<Server> StartServer(Router router, ServerOptions options) {
  if (options.io_threads == 0) options.io_threads = 2;
  auto server = Server::Create(std::move(router), std::move(options));
  if (!server.ok()) {
    std::fprintf(stderr, "cannot start test server: %s\n", server.status().ToString().c_str());
    std::abort();
  }
  (*server)->Start();
  return *std::move(server);
}

}  // namespace accord::http::testing
