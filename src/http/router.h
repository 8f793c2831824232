// Routes requests to handlers by method and path pattern.
//
// Patterns are absolute paths of "/"-separated segments:
//   literal      "/checkpoint", "/v1/statements"      matches itself exactly
//   parameter    "/v1/statements/{index}"             one non-empty segment → params["index"]
//   rest         "/tile/*"                            one or more further characters, "/"
//                                                     included → params["*"]; last only
// Matching is on the decoded path (see message.h: it never holds "." or ".." segments
// or an encoded "/"). When several patterns match, the most specific wins, comparing
// segment by segment: literal before parameter before rest ("/tile/entries/*" beats
// "/tile/*" for "/tile/entries/000").
//
// A path some route matches under another method gets 405 with Allow; a path no route
// matches gets 404. HEAD is answered by the GET handler with the body dropped (RFC 9110
// §9.3.2) unless a HEAD route exists.
#ifndef ACCORD_HTTP_ROUTER_H_
#define ACCORD_HTTP_ROUTER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "src/http/message.h"

namespace accord::http {

// Delivers the response to one request, once, from any thread, at any later time.
// Copyable; all copies share one delivery. If every copy is destroyed without a call,
// the client gets 500 (so a forgotten request never hangs a connection). Calls after the
// first, after the server's handler timeout answered 504, after the client went away or
// after the server stopped are dropped. Thread-safe.
class Responder {
 public:
  // What the server supplies; tests may implement it to call handlers directly.
  class Sink {
   public:
    virtual ~Sink() = default;
    // Called at most once, with the response or, if every Responder copy was dropped
    // unanswered, with nullopt.
    virtual void Deliver(std::optional<Response> response) = 0;
  };

  explicit Responder(std::shared_ptr<Sink> sink);
  // Returns true iff this call delivered the response (the first call).
  bool operator()(Response response) const;
  bool Respond(Response response) const { return (*this)(std::move(response)); }

 private:
  class State;
  std::shared_ptr<State> state_;
};

// A sync handler runs on a server I/O thread: it must not block (no disk syncs, no
// waiting on other requests). Work that waits belongs in an async handler.
using Handler = std::function<Response(const Request&)>;
// An async handler must return promptly and answer later through the Responder, from
// any thread. The Request reference is valid only during the call: copy what you keep.
using AsyncHandler = std::function<void(const Request&, Responder)>;

struct RouteOptions {
  // Largest request body accepted for this route (413 beyond); nullopt: the server's
  // ServerOptions::max_body_bytes.
  std::optional<size_t> max_body_bytes;
  // The names of the query parameters the route reads; none by default. See CheckQuery.
  std::vector<std::string> query;
};

// What the server checks of a request's query before the route's handler runs, so
// that no handler meets a query two readers could take differently: every parameter
// is one of `options.query`, appears at most once, and has a non-empty value. Else
// InvalidArgument naming the first parameter at fault ("unknown query parameter
// \"limt\"; this resource takes kind, after, limit", "query parameter \"limit\" given 2
// times", "query parameter \"after\" is empty"); the server answers it with 400
// `invalid-argument` before reading the body.
absl::Status CheckQuery(const RouteOptions& options, const QueryParams& query);

struct RouteInfo {
  std::string method;
  std::string pattern;
  bool operator==(const RouteInfo&) const = default;
};

class Router {
 public:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // pattern split at "/"
    Handler handler;                    // exactly one of handler and async_handler
    AsyncHandler async_handler;
    RouteOptions options;
  };

  // The outcome of Match.
  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    PathParams params;
    // When route is null: the methods some route accepts for this path (→ 405 with
    // Allow, sorted, HEAD added where GET is), or empty (→ 404).
    std::vector<std::string> allowed;
  };

  // Registers a route. Registering the same method and pattern twice, or a malformed
  // pattern (not starting with "/", "*" not last, an empty or half-braced segment),
  // is a programmer error: the process aborts with a message. Not thread-safe: finish
  // registering before the server starts.
  void Handle(std::string_view method, std::string_view pattern, Handler handler,
              RouteOptions options = {});
  void HandleAsync(std::string_view method, std::string_view pattern, AsyncHandler handler,
                   RouteOptions options = {});

  // Thread-safe (const). `path` is a decoded path from ParseTarget.
  Match Find(std::string_view method, std::string_view path) const;

  // Every registered route in registration order, as (method, pattern); for comparing
  // with the OpenAPI document.
  std::vector<RouteInfo> Routes() const;

 private:
  void Add(Route route);
  std::vector<Route> routes_;
};

}  // namespace accord::http

#endif  // ACCORD_HTTP_ROUTER_H_
