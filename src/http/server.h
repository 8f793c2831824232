// An HTTP/1.1 server (RFC 9112) on Boost.Beast/Asio, for the node's JSON API and the
// C2SP read paths. Its limits make hostile clients cheap to turn away (docs/http.md):
//
//   limit                      default   answer (problem name)                connection
//   request target length      4 KiB     414 target-too-long                  closed
//   request line + headers     16 KiB    431 headers-too-large                closed
//   request body               1 MiB     413 body-too-large (per route)       closed
//   headers not complete in    10 s      408 request-timeout (slowloris)      closed
//   body not complete in       30 s      408 request-timeout                  closed
//   idle keep-alive            60 s      none: the connection is closed
//   response not written in    30 s      none: the connection is closed
//   async handler silent for   60 s      504 timeout                          kept
//   concurrent connections     10,000    503 overloaded, Retry-After          closed
//   malformed HTTP             -         400 malformed-request                closed
//   bad target encoding        -         400 bad-target                       kept*
//   Transfer-Encoding ≠ chunked -        501 not-implemented                  closed
//   (* closed if the request had a body, which was not read)
//
// Connections are persistent (HTTP/1.1 keep-alive; HTTP/1.0 only with "Connection:
// keep-alive"). Pipelined requests are answered in order, one at a time. "Expect:
// 100-continue" is honoured. Responses carry Content-Length and Date; no Server header.
//
// Threads: `io_threads` threads run all sockets. Sync handlers run on them; async
// handlers are called on them and may answer from any thread (router.h).
#ifndef ACCORD_HTTP_SERVER_H_
#define ACCORD_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/http/router.h"
#include "src/http/server_options.h"

namespace accord::http {

class Server {
 public:
  // Binds and listens (nothing is accepted until Start). InvalidArgument for a bad
  // `listen`; Unavailable if the address cannot be bound (in use, not local).
  static absl::StatusOr<std::unique_ptr<Server>> Create(Router router, ServerOptions options);
  // The same, asking `routes` for the router only once the address is bound: a caller
  // that creates state in order to serve (a node's keys and log) creates none when the
  // address is taken. routes()'s error is returned as it is.
  static absl::StatusOr<std::unique_ptr<Server>> Create(
      const std::function<absl::StatusOr<Router>()>& routes, ServerOptions options);
  // Stops (as Stop(0)) if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the I/O threads and accepting. Call once.
  void Start();
  // Graceful stop: closes the listener, closes idle connections, lets requests in
  // progress finish (their responses say "Connection: close") for up to `deadline`,
  // then closes every remaining connection and joins the I/O threads. Responders
  // called afterwards do nothing. Idempotent; thread-safe; must not be called from an
  // I/O thread (a handler).
  void Stop(absl::Duration deadline = absl::Seconds(5));

  // The bound port (the real one when listening on port 0), and "host:port" as bound.
  uint16_t port() const;
  std::string address() const;
  // The routes served, for comparison with the OpenAPI document.
  std::vector<RouteInfo> Routes() const;
  // Connections open now (tests poll this).
  size_t open_connections() const;

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `n` distinct TCP ports on 127.0.0.1 that were free a moment ago: bound together, then
// released, for servers that must know each other's URLs before they start (the
// drill's nodes, integration tests). Another process may take one in between, rarely.
// Unavailable if the ports cannot be bound.
absl::StatusOr<std::vector<uint16_t>> ReserveLoopbackPorts(int n);

// Splits "host:port" / "[v6]:port" into host and port. InvalidArgument if malformed.
absl::Status SplitHostPort(std::string_view hostport, std::string* host, uint16_t* port);

}  // namespace accord::http

#endif  // ACCORD_HTTP_SERVER_H_
