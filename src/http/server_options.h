// The options of an HTTP server (server.h) and what it tells its access log: apart from
// server.h so that the server's internals (server_core.h, connection.h) take them without
// including the Server they implement.
#ifndef ACCORD_HTTP_SERVER_OPTIONS_H_
#define ACCORD_HTTP_SERVER_OPTIONS_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "src/http/metrics.h"

namespace accord::http {

// One finished request, for access logs.
struct AccessRecord {
  std::string remote_address;
  std::string method;
  std::string target;  // raw, as sent (may be truncated to the target limit)
  std::string route;   // the matched pattern, or "" if none matched
  int status = 0;
  size_t request_body_bytes = 0;
  size_t response_body_bytes = 0;
  absl::Duration latency;  // headers received → response written
};

struct ServerOptions {
  // "host:port" or "[v6]:port"; port 0 picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:0";
  // I/O threads; 0 means std::thread::hardware_concurrency() (at least 1).
  int io_threads = 0;

  size_t max_target_bytes = 4 * 1024;
  size_t max_header_bytes = 16 * 1024;  // request line less the target, and header fields
  size_t max_body_bytes = 1024 * 1024;  // routes may override (RouteOptions)
  size_t max_connections = 10'000;

  absl::Duration header_timeout = absl::Seconds(10);   // first byte → end of headers
  absl::Duration body_timeout = absl::Seconds(30);     // end of headers → end of body
  absl::Duration idle_timeout = absl::Seconds(60);     // between requests
  absl::Duration write_timeout = absl::Seconds(30);    // writing one response
  absl::Duration handler_timeout = absl::Seconds(60);  // async handler → 504
  // After an error response that closes the connection, unread request bytes are read
  // and dropped for up to this long (and up to 1 MiB), so that the client sees the
  // response rather than a reset (RFC 9112 §9.6).
  absl::Duration linger_timeout = absl::Seconds(2);

  // If set, the server registers and updates (names in docs/http.md):
  //   accord_http_requests_total{method,route,status}      counter
  //   accord_http_request_duration_seconds{method,route}   histogram
  //   accord_http_requests_in_flight                       gauge
  //   accord_http_connections_open                         gauge
  //   accord_http_connections_rejected_total               counter (over the limit)
  // `route` is the matched pattern or "unmatched"; `method` is the route's method or
  // "OTHER", so no label takes client-chosen values. REQUIRES: outlives the server.
  Registry* metrics = nullptr;
  // Called after each response is written (or failed to be), on an I/O thread; must be
  // quick and thread-safe.
  std::function<void(const AccessRecord&)> access_log;
  // Server-side failures worth an operator's attention (accept errors, handler
  // exceptions, dropped responders). Thread-safe, quick. Default: ignored.
  std::function<void(std::string_view message)> error_log;
};

}  // namespace accord::http

#endif  // ACCORD_HTTP_SERVER_OPTIONS_H_
