// Test helpers for src/http: a raw TCP client on POSIX sockets (so that tests can send
// malformed, partial or pipelined bytes that no HTTP library would), a minimal parser
// of the responses it reads, and polling with a deadline.
#ifndef ACCORD_HTTP_TESTING_H_
#define ACCORD_HTTP_TESTING_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/http/message.h"
#include "src/http/server.h"
#include "src/test/wait.h"

namespace accord::http::testing {

struct RawResponse {
  int status = 0;
  std::string status_line;
  Headers headers;
  std::string body;
};

// One TCP connection to 127.0.0.1:port. Not thread-safe.
class RawConnection {
 public:
  // Connects; returns nullopt on failure.
  static std::optional<RawConnection> Open(uint16_t port);
  // Takes ownership of a connected socket.
  explicit RawConnection(int fd) : fd_(fd) {}
  RawConnection(RawConnection&& other) noexcept;
  RawConnection& operator=(RawConnection&&) = delete;
  ~RawConnection();

  // Sends all of `bytes`; false if the connection broke.
  bool Send(std::string_view bytes);
  // Reads one response (status line, headers, Content-Length body; no chunked), within
  // `timeout`. Unavailable on EOF/reset before a complete response, DeadlineExceeded.
  // With `no_body` (answers to HEAD, 1xx), Content-Length is not read.
  absl::StatusOr<RawResponse> Read(absl::Duration timeout = absl::Seconds(10),
                                   bool no_body = false);
  // True iff the peer closes (EOF or reset) within `timeout`, after any pending bytes
  // have been read and dropped.
  bool WaitClosed(absl::Duration timeout = absl::Seconds(10));
  // Half-closes the sending side.
  void ShutdownSend();

 private:
  // Reads more bytes into buffer_; 0 on EOF, -1 on error or timeout (sets timed_out).
  long Fill(absl::Time deadline, bool* timed_out);
  int fd_;
  std::string buffer_;
};

// Sends `request` on a new connection and reads one response.
absl::StatusOr<RawResponse> Exchange(uint16_t port, std::string_view request);

// A TCP listener on 127.0.0.1:0 that answers every connection with fixed bytes: it
// reads until the end of a request head ("\r\n\r\n"), writes `reply` and closes. For
// testing clients against broken servers. Serves on its own thread until destroyed.
class CannedServer {
 public:
  explicit CannedServer(std::string reply);
  ~CannedServer();
  uint16_t port() const { return port_; }

 private:
  void Serve();
  const std::string reply_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

// A started server on 127.0.0.1:0 with two I/O threads (unless `options` says
// otherwise); aborts the test binary if it cannot listen.
std::unique_ptr<Server> StartServer(Router router, ServerOptions options = {});

using test::WaitFor;

}  // namespace accord::http::testing

#endif  // ACCORD_HTTP_TESTING_H_
