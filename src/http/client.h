// A synchronous HTTP/1.1 client for one base URL "http://host:port[/prefix]", used by
// the CLI (submit, get, verify), federation monitors and the load generator.
//
// Connections are reused (keep-alive) from a small pool: a call takes an idle
// connection or opens one, and returns it afterwards if the server kept it open. Any
// number of threads may call at once; each call uses its own connection, so N threads
// hold at most N connections, and up to ClientOptions::max_idle_connections stay open
// between calls. A pooled connection the server has closed is detected before reuse;
// if a reused connection fails before any response byte arrives, an idempotent request
// (GET, HEAD, PUT, DELETE, OPTIONS, or ClientRequest::idempotent) is retried once on a
// new connection.
//
// Errors (absl::Status codes):
//   InvalidArgument     bad base URL or path (Create, Do)
//   Unavailable         cannot resolve or connect (refused, unreachable), connection
//                       reset or closed early, malformed response
//   DeadlineExceeded    connect or request timeout
//   ResourceExhausted   response larger than max_response_bytes
// Any HTTP status is a response, not an error: see StatusFromResponse.
#ifndef ACCORD_HTTP_CLIENT_H_
#define ACCORD_HTTP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/http/message.h"

namespace accord::http {

// A parsed base URL. Only "http" (case-insensitive); host is a DNS name, an IPv4
// address or a bracketed IPv6 address; port 1–65535, default 80; the path, if any,
// is a prefix for every request ("http://h/api" + "/v1/x" → "/api/v1/x"). User info,
// query and fragment are rejected.
struct Url {
  std::string host;  // without brackets for IPv6
  uint16_t port = 80;
  std::string prefix;  // "" or "/api" (no trailing "/")
  // "host:port" as sent in the Host header ("[::1]:8080").
  std::string HostPort() const;
  // "http://host:port/prefix"
  std::string ToString() const;
};
// InvalidArgument naming the fault; Unimplemented for "https".
absl::StatusOr<Url> ParseUrl(std::string_view url);

struct ClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  // Whole exchange: writing the request and reading the whole response.
  absl::Duration request_timeout = absl::Seconds(30);
  size_t max_response_bytes = 64 * 1024 * 1024;  // body; headers up to 64 KiB
  size_t max_idle_connections = 16;
  // A pooled connection idle this long is closed rather than reused (below the
  // server's idle timeout, so reuse rarely races with the server closing).
  absl::Duration max_idle_time = absl::Seconds(30);
  std::string user_agent = "accord";
};

struct ClientRequest {
  std::string method = "GET";
  // Origin-form path and query ("/v1/statements?kind=claim"), appended to the base
  // URL's prefix. Callers percent-encode values (PercentEncode).
  std::string target = "/";
  Headers headers;  // Host, Content-Length, User-Agent are set by the client
  std::string body;
  bool idempotent = false;  // allow one retry on a stale connection for any method
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

class Client {
 public:
  static absl::StatusOr<std::unique_ptr<Client>> Create(std::string_view base_url,
                                                        ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Thread-safe.
  absl::StatusOr<ClientResponse> Do(const ClientRequest& request);
  absl::StatusOr<ClientResponse> Get(std::string_view target);
  absl::StatusOr<ClientResponse> Post(std::string_view target, std::string body,
                                      std::string_view content_type = kJsonContentType);

  const Url& url() const;
  // Idle pooled connections (for tests).
  size_t idle_connections() const;
  // TCP connections opened so far (for tests of reuse).
  uint64_t connections_opened() const;

  class Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// OkStatus for 1xx–3xx; otherwise the inverse of Response::FromStatus (400 →
// InvalidArgument, 401 → Unauthenticated, 403 → PermissionDenied, 404 → NotFound,
// 409 → FailedPrecondition, 413 and 431 → InvalidArgument, 429 and 503 →
// Unavailable, 501 → Unimplemented, 504 and 408 → DeadlineExceeded, other 4xx →
// InvalidArgument, other 5xx → Internal) with a message holding the status and, for a
// problem-details body, its title and detail.
absl::Status StatusFromResponse(const ClientResponse& response);

}  // namespace accord::http

#endif  // ACCORD_HTTP_CLIENT_H_
