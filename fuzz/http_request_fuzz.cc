// Fuzzes the server's HTTP/1.1 request path without sockets: the input is the byte stream
// a client sends on one connection (several requests if pipelined). Each request goes
// through what src/http/connection.cc does with it: a Boost.Beast request_parser with the
// server's limits (ServerOptions defaults: 4 KiB target, 16 KiB headers, per-route body
// limits), the same head checks (target and header sizes, one Host for HTTP/1.1, only
// the chunked transfer coding), ParseTarget, routing with a Router of accord's route
// shapes, then the body; and then what a node does with a signed request: ComponentsOf and
// RequestVerifier::Verify (RFC 9421, Content-Digest) with the fixed key and a fixed clock.
//
// Connection.cc's checks are private to its state machine, so they are restated here;
// keep the two in step (the constants and the order of the checks).
//
// Invariants: a request that parses has a decoded path starting with "/"; a request
// whose Signature-Input this harness re-signs with the fixed key (same components and
// parameters) never fails verification on the signature itself, i.e. the verifier's
// signature base is the signer's.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>  // before Asio: Boost 1.74 under C++20

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fuzz/fuzz_support.h"
#include "src/http/message.h"
#include "src/http/router.h"
#include "src/http/server.h"
#include "src/http/signature.h"
#include "src/util/encoding.h"

namespace accord::fuzz {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Parser = bhttp::request_parser<bhttp::string_body>;

constexpr int kMaxRequests = 8;
const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

const http::Router& TheRouter() {
  static const http::Router* router = [] {
    auto* r = new http::Router;
    const auto ok = [](const http::Request&) { return http::Response::Text(200, "ok"); };
    r->Handle("GET", "/checkpoint", ok);
    r->Handle("GET", "/tile/*", ok);
    r->Handle("POST", "/v1/statements", ok, http::RouteOptions{64 * 1024});
    r->Handle("GET", "/v1/statements/{index}", ok);
    r->Handle("POST", "/add-checkpoint", ok, http::RouteOptions{64 * 1024});
    r->Handle("PUT", "/v1/bodies/{commitment}", ok);
    r->Handle("GET", "/v1/bodies/{commitment}", ok);
    return r;
  }();
  return *router;
}

http::VerifyOptions FixedClock() {
  http::VerifyOptions options;
  options.now = [] { return kNow; };
  return options;
}

absl::StatusOr<crypto::Ed25519PublicKey> LookUp(std::string_view keyid) {
  const Keys& k = FixedKeys();
  if (keyid != k.http_keyid) return absl::NotFoundError("unknown keyid");
  return k.http.public_key();
}

// What a node does with a request: verify its signature; then re-sign it here and check
// that the verifier agrees with the signer.
void CheckSigned(const http::Request& request) {
  http::MemoryNonceCache nonces;
  http::RequestVerifier verifier(LookUp, &nonces, FixedClock());
  auto verified = verifier.Verify(request);
  if (verified.ok()) ACCORD_FUZZ_CHECK(verified->keyid == FixedKeys().http_keyid);

  auto components = http::ComponentsOf(request);
  if (!components.ok()) return;
  const auto inputs = request.headers.GetAll("Signature-Input");
  if (inputs.empty()) return;
  std::string joined;
  for (std::string_view line : inputs)
    absl::StrAppend(&joined, joined.empty() ? "" : ", ", std::string(line));
  auto parsed = http::ParseSignature(joined, "accord=:AA==:", http::kSignatureLabel);
  if (!parsed.ok()) return;
  auto base = http::SignatureBase(*components, parsed->params);
  if (!base.ok()) return;
  const crypto::Ed25519Signature sig = FixedKeys().http.Sign(util::AsBytes(*base));
  http::Request resigned = request;
  resigned.headers.Set("Signature", absl::StrCat("accord=:", util::Base64Encode(sig), ":"));
  http::MemoryNonceCache fresh;
  http::RequestVerifier again(LookUp, &fresh, FixedClock());
  auto result = again.Verify(resigned);
  // The message quotes client-chosen values (the fuzzer learns this phrase): match the
  // start only.
  ACCORD_FUZZ_CHECK(
      result.ok() ||
          !absl::StartsWith(result.status().message(), "http signature: signature does not verify"),
      "the verifier's signature base differs from the signer's: ", result.status().ToString());
}

// One request from the front of `rest` (consumed). False when the connection would
// close or wait for more bytes.
bool OneRequest(std::string_view& rest) {
  const http::ServerOptions options;
  Parser parser;
  parser.header_limit(static_cast<uint32_t>(options.max_header_bytes + options.max_target_bytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  beast::error_code ec;
  while (!parser.is_header_done()) {
    const size_t n = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(n);
    if (ec) return false;  // need_more at the end of input, or 400/414/431
    if (n == 0) return false;
  }
  const auto& h = parser.get();
  const std::string method(h.method_string());
  const std::string target(h.target());
  const int version = static_cast<int>(h.version());
  const bool has_body = !parser.is_done();

  // Connection::Route.
  if (target.size() > options.max_target_bytes) return false;
  size_t header_bytes = method.size() + 12;
  for (const auto& f : h) header_bytes += f.name_string().size() + f.value().size() + 4;
  if (header_bytes > options.max_header_bytes) return false;
  if (version == 11 && h.count(bhttp::field::host) != 1) return false;
  if (h.count(bhttp::field::transfer_encoding) > 0 && !parser.chunked()) return false;
  auto decoded = http::ParseTarget(target);
  if (!decoded.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(decoded.status()));
    return !has_body && parser.keep_alive();
  }
  ACCORD_FUZZ_CHECK(!decoded->path.empty() && decoded->path[0] == '/');
  http::Router::Match match = TheRouter().Find(method, decoded->path);
  if (match.route == nullptr) return !has_body && parser.keep_alive();

  // Connection::OnHeader and ReadBody.
  const size_t limit = match.route->options.max_body_bytes.value_or(options.max_body_bytes);
  const auto length = parser.content_length();
  if (length.has_value() && *length > limit) return false;
  if (has_body) {
    parser.body_limit(limit);
    parser.eager(true);
    while (!parser.is_done()) {
      const size_t n = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      rest.remove_prefix(n);
      if (ec) return false;
      if (n == 0) return false;
    }
  }

  // Connection::Dispatch.
  http::Request req;
  req.method = method;
  req.target = target;
  req.path = std::move(decoded->path);
  req.query = std::move(decoded->query);
  for (const auto& f : parser.get()) {
    req.headers.Add(std::string(f.name_string()), std::string(f.value()));
  }
  req.body = std::move(parser.get().body());
  req.version = version;
  req.params = std::move(match.params);
  req.route = match.route->pattern;
  ACCORD_FUZZ_CHECK(req.body.size() <= limit);
  CheckSigned(req);
  return parser.keep_alive();
}

}  // namespace
}  // namespace accord::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)accord::fuzz::FixedKeys();
  (void)accord::fuzz::TheRouter();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest = accord::fuzz::AsString(data, size);
  for (int i = 0; i < accord::fuzz::kMaxRequests && !rest.empty(); ++i) {
    if (!accord::fuzz::OneRequest(rest)) break;
  }
  return 0;
}
