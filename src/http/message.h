// HTTP messages as the rest of accord sees them: requests and responses with plain
// strings, free of Boost.Beast (which only src/http's .cc files include).
//
// Request targets are decoded strictly (RFC 3986 §2.1 percent-encoding; queries as
// application/x-www-form-urlencoded, WHATWG URL §5): a malformed escape, an encoded NUL,
// an encoded '/' in the path, a "." or ".." path segment or invalid UTF-8 rejects the
// request with 400 before any handler sees it, so handlers never meet ambiguous paths
// (path traversal) or bytes that cannot be echoed into JSON.
//
// Errors are RFC 9457 problem details (application/problem+json). absl::Status codes are
// mapped to HTTP statuses here and nowhere else (Response::FromStatus; docs/http.md).
#ifndef ACCORD_HTTP_MESSAGE_H_
#define ACCORD_HTTP_MESSAGE_H_

#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace accord::http {

// True iff `a` and `b` are equal ignoring ASCII case (header names, schemes).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// True iff `c` is a tchar (RFC 9110 §5.6.2), of which methods and field names are made.
bool IsTokenChar(char c);

// Header fields in the order received or set. Names compare case-insensitively
// (RFC 9110 §5.1); values are kept as given. Not thread-safe (a value type).
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // Appends a field; earlier fields of the same name stay (e.g. several Set-Cookie).
  void Add(std::string name, std::string value);
  // Replaces every field named `name` with one field.
  void Set(std::string_view name, std::string value);
  void Remove(std::string_view name);
  // The first field named `name`, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

// The decoded query of a request target: "a=1&b=x%20y&a=2" holds a→1, b→"x y", a→2 in
// order. "+" decodes to a space; "k" without "=" has the empty value; empty pairs
// ("a=1&&b=2") are skipped. The server refuses, before a handler runs, a parameter its
// route does not declare, one given twice, and one with an empty value (router.h,
// CheckQuery), so a handler's Get sees at most one non-empty value. Not thread-safe (a
// value type).
class QueryParams {
 public:
  using Param = std::pair<std::string, std::string>;

  QueryParams() = default;
  explicit QueryParams(std::vector<Param> params) : params_(std::move(params)) {}

  // The first value of `key`, or nullopt.
  std::optional<std::string_view> Get(std::string_view key) const;
  // Every value of `key`, in order.
  std::vector<std::string_view> GetAll(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key).has_value(); }

  // The value of a parameter that must appear at most once: nullopt if absent,
  // InvalidArgument ("query parameter "size" given 2 times") if repeated.
  absl::StatusOr<std::optional<std::string>> GetUnique(std::string_view key) const;
  // As GetUnique, and the value must be ParseDecimal's decimal integer ≤ `max` (the
  // field's own bound: a limit, or the largest log index the stores can hold);
  // InvalidArgument naming the parameter otherwise.
  absl::StatusOr<std::optional<uint64_t>> GetUint64(
      std::string_view key, uint64_t max = std::numeric_limits<uint64_t>::max()) const;

  const std::vector<Param>& params() const { return params_; }

 private:
  std::vector<Param> params_;
};

// A decimal integer as the API takes it in paths and queries: one or more ASCII digits,
// no sign, no leading zero ("0" itself is fine), no space, at most `max` (≤ 2^64 − 1).
// InvalidArgument "<what>: not a decimal integer in [0, <max>]" otherwise, e.g. with
// `what` = "query parameter \"after\"" or "path parameter \"index\"".
absl::StatusOr<uint64_t> ParseDecimal(std::string_view text, std::string_view what,
                                      uint64_t max = std::numeric_limits<uint64_t>::max());

// Decodes RFC 3986 percent-escapes ("%2F" → "/"); with `plus_is_space`, "+" → " ".
// InvalidArgument on a truncated or non-hex escape, an encoded NUL, or a result that is
// not valid UTF-8.
absl::StatusOr<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);
// Encodes every byte outside RFC 3986's unreserved set (ALPHA DIGIT - . _ ~), so the
// result is safe as a path segment, a query key or a query value.
std::string PercentEncode(std::string_view text);

// True iff `text` is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool IsValidUtf8(std::string_view text);

// A request target split and decoded: origin-form ("/p?q") or absolute-form
// ("http://host/p?q", RFC 9112 §3.2.2; the authority is dropped).
struct Target {
  std::string path;  // decoded; starts with "/"
  QueryParams query;
};
// InvalidArgument (naming the fault) for any target the rules at the top reject, and for
// asterisk-form, authority-form, a fragment, or a path not starting with "/".
absl::StatusOr<Target> ParseTarget(std::string_view target);

// Path parameters a Router extracted: "{index}" → params["index"]; a trailing "*" →
// params["*"] (the rest of the path, without its leading "/").
using PathParams = std::map<std::string, std::string, std::less<>>;

struct Request {
  std::string method;  // as sent, case-sensitive ("GET", "POST", …)
  std::string target;  // the raw request-target ("/v1/statements?kind=claim")
  std::string path;    // decoded path ("/v1/statements")
  QueryParams query;
  Headers headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:54321", "[::1]:54321"
  int version = 11;            // 10 for HTTP/1.0, 11 for HTTP/1.1
  PathParams params;           // filled by the Router
  std::string route;           // the matched route's pattern, e.g. "/v1/statements/{index}"

  // params[name], or "" if the route has no such parameter.
  std::string_view PathParam(std::string_view name) const;
};

// Problem types (RFC 9457 §3.1.1 "type") are URNs "urn:accord:problem:<name>"; they are
// identifiers, never dereferenced. docs/http.md lists them. Parts define their own names
// ("schema-violation") with ProblemType.
inline constexpr std::string_view kProblemTypePrefix = "urn:accord:problem:";
std::string ProblemType(std::string_view name);

// Problem names used by this part (the limits, routing, and Response::FromStatus).
namespace problem {
inline constexpr std::string_view kMalformedRequest = "malformed-request";   // 400
inline constexpr std::string_view kBadTarget = "bad-target";                 // 400
inline constexpr std::string_view kInvalidArgument = "invalid-argument";     // 400
inline constexpr std::string_view kUnauthenticated = "unauthenticated";      // 401
inline constexpr std::string_view kPermissionDenied = "permission-denied";   // 403
inline constexpr std::string_view kNotFound = "not-found";                   // 404
inline constexpr std::string_view kMethodNotAllowed = "method-not-allowed";  // 405
inline constexpr std::string_view kRequestTimeout = "request-timeout";       // 408
inline constexpr std::string_view kConflict = "conflict";                    // 409
inline constexpr std::string_view kBodyTooLarge = "body-too-large";          // 413
inline constexpr std::string_view kTargetTooLong = "target-too-long";        // 414
inline constexpr std::string_view kHeadersTooLarge = "headers-too-large";    // 431
inline constexpr std::string_view kInternal = "internal";                    // 500
inline constexpr std::string_view kNotImplemented = "not-implemented";       // 501
inline constexpr std::string_view kUnavailable = "unavailable";              // 503
inline constexpr std::string_view kOverloaded = "overloaded";                // 503
inline constexpr std::string_view kTimeout = "timeout";                      // 504
}  // namespace problem

// Seconds a 503 asks the client to wait before retrying (Retry-After).
inline constexpr int kRetryAfterSeconds = 1;

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

// The reason phrase of a status ("Not Found"), or "Unknown" for an unregistered code.
std::string_view ReasonPhrase(int status);

struct Response {
  int status = 200;
  Headers headers;  // Content-Length, Connection and Date are set by the server
  std::string body;

  // `body` serialised compactly; never throws (invalid UTF-8 in strings is replaced
  // with U+FFFD).
  static Response Json(int status, const nlohmann::json& body);
  static Response Text(int status, std::string body,
                       std::string_view content_type = kTextContentType);
  // RFC 9457 problem details: {"type": ProblemType(name), "title", "status", "detail"}
  // plus the members of `extensions` (an object; members named like the standard ones
  // are ignored). `title` defaults to the reason phrase; `detail` is omitted if empty.
  static Response Problem(int status, std::string_view name, std::string_view detail,
                          const nlohmann::json& extensions = nullptr, std::string_view title = {});
  // Maps an error status once for the whole project (docs/http.md):
  //   InvalidArgument, OutOfRange → 400   Unauthenticated → 401   PermissionDenied → 403
  //   NotFound → 404   AlreadyExists, FailedPrecondition, Aborted → 409
  //   ResourceExhausted, Unavailable → 503 with Retry-After   DeadlineExceeded → 504
  //   Unimplemented → 501   everything else → 500.
  // The status message becomes "detail" for 4xx, 501 and 503/504; a 500 says only
  // "internal error" so that internals (paths, SQL, …) never leak — log them yourself.
  // REQUIRES: !status.ok().
  static Response FromStatus(const absl::Status& status,
                             const nlohmann::json& extensions = nullptr);
};

// The HTTP status Response::FromStatus chooses for `code`.
int HttpStatusOf(absl::StatusCode code);

}  // namespace accord::http

#endif  // ACCORD_HTTP_MESSAGE_H_
