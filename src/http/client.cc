#include "src/http/client.h"

#include <poll.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>  // before Asio: Boost 1.74 under C++20
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/util/json.h"

namespace accord::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

constexpr uint32_t kMaxResponseHeaderBytes = 64 * 1024;

std::chrono::nanoseconds ToChrono(absl::Duration d) {
  return std::chrono::nanoseconds(absl::ToInt64Nanoseconds(d));
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

bool HasCtl(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t') return true;
    if (u == 0x7F) return true;
  }
  return false;
}

// One keep-alive connection with its own io_context, so that a calling thread can run
// it to completion with timeouts and never runs another thread's work.
struct Connection {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  absl::Time last_used;
};

}  // namespace

// Url

std::string Url::HostPort() const {
  const bool v6 = host.find(':') != std::string::npos;
  return v6 ? absl::StrCat("[", host, "]:", port) : absl::StrCat(host, ":", port);
}

std::string Url::ToString() const { return absl::StrCat("http://", HostPort(), prefix); }

absl::StatusOr<Url> ParseUrl(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad URL \"", std::string(text), "\": ", std::string(why)));
  };
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) return bad("want http://host:port");
  const std::string_view scheme = text.substr(0, sep);
  if (EqualsIgnoreCase(scheme, "https")) {
    return absl::UnimplementedError(
        absl::StrCat("bad URL \"", std::string(text), "\": https is not supported yet"));
  }
  if (!EqualsIgnoreCase(scheme, "http")) return bad("scheme must be http");
  std::string_view rest = text.substr(sep + 3);
  const size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path =
      path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not allowed");
  if (path.find_first_of("?#") != std::string_view::npos) {
    return bad("query and fragment are not allowed");
  }
  Url url;
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed \"[\"");
    url.host = std::string(authority.substr(1, close - 1));
    for (const char c : url.host) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) {
        return bad("bad IPv6 address");
      }
    }
    if (url.host.find(':') == std::string::npos) return bad("bad IPv6 address");
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after \"]\"");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("empty port");
    }
    for (const char c : url.host) {
      if (!IsHostChar(c)) return bad("bad host name");
    }
  }
  if (url.host.empty()) return bad("empty host");
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return bad("port must be a number in 1–65535");
    }
    url.port = static_cast<uint16_t>(port);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (HasCtl(path) || path.find(' ') != std::string_view::npos) return bad("bad path");
  url.prefix = std::string(path);
  return url;
}

// Client

class Client::Impl {
 public:
  Impl(Url url, ClientOptions options) : url_(std::move(url)), options_(std::move(options)) {}

  const Url& url() const { return url_; }

  size_t idle() const {
    absl::MutexLock lock(&mu_);
    return idle_.size();
  }
  uint64_t opened() const { return opened_.load(); }

  absl::StatusOr<ClientResponse> Do(const ClientRequest& request) {
    if (auto s = Validate(request); !s.ok()) return s;
    const bool retryable = request.idempotent || request.method == "GET" ||
                           request.method == "HEAD" || request.method == "PUT" ||
                           request.method == "DELETE" || request.method == "OPTIONS";
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> conn = TakeIdle();
      const bool reused = conn != nullptr;
      if (!reused) {
        auto fresh = Connect();
        if (!fresh.ok()) return fresh.status();
        conn = *std::move(fresh);
      }
      bool got_bytes = false;
      bool keep_alive = false;
      auto response = Exchange(*conn, request, &got_bytes, &keep_alive);
      if (response.ok()) {
        if (keep_alive) Return(std::move(conn));
        return response;
      }
      if (reused && !got_bytes && retryable && attempt == 0 &&
          response.status().code() == absl::StatusCode::kUnavailable) {
        continue;
      }
      return response.status();
    }
  }

 private:
  static absl::Status Validate(const ClientRequest& r) {
    if (r.method.empty() ||
        !std::all_of(r.method.begin(), r.method.end(), [](char c) { return IsTokenChar(c); })) {
      return absl::InvalidArgumentError(absl::StrCat("bad HTTP method \"", r.method, "\""));
    }
    if (r.target.empty() || r.target[0] != '/' || HasCtl(r.target) ||
        r.target.find(' ') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("bad request target \"", r.target, "\""));
    }
    for (const auto& [name, value] : r.headers.fields()) {
      if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar) || HasCtl(value)) {
        return absl::InvalidArgumentError(absl::StrCat("bad header field \"", name, "\""));
      }
    }
    return absl::OkStatus();
  }

  std::string Describe() const { return url_.HostPort(); }

  absl::Status IoError(std::string_view step, const beast::error_code& ec) const {
    const std::string message =
        absl::StrCat(std::string(step), " ", Describe(), ": ", ec.message());
    if (ec == beast::error::timeout) return absl::DeadlineExceededError(message);
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
        ec == bhttp::error::buffer_overflow) {
      return absl::ResourceExhaustedError(
          absl::StrCat(message, " (limit ", options_.max_response_bytes, " bytes of body)"));
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return absl::UnavailableError(absl::StrCat("malformed HTTP response from ", message));
    }
    return absl::UnavailableError(message);
  }

  std::unique_ptr<Connection> TakeIdle() {
    while (true) {
      std::unique_ptr<Connection> conn;
      {
        absl::MutexLock lock(&mu_);
        if (idle_.empty()) return nullptr;
        conn = std::move(idle_.back());
        idle_.pop_back();
      }
      if (absl::Now() - conn->last_used > options_.max_idle_time) continue;
      // Readable while idle means the server closed it (or sent junk): not reusable.
      pollfd p{conn->stream.socket().native_handle(), POLLIN, 0};
      if (::poll(&p, 1, 0) != 0) continue;
      return conn;
    }
  }

  void Return(std::unique_ptr<Connection> conn) {
    conn->last_used = absl::Now();
    absl::MutexLock lock(&mu_);
    if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(conn));
  }

  absl::StatusOr<std::unique_ptr<Connection>> Connect() {
    auto conn = std::make_unique<Connection>();
    tcp::resolver resolver(conn->ioc);
    beast::error_code ec;
    tcp::resolver::results_type endpoints;
    bool resolved = false;
    resolver.async_resolve(url_.host, std::to_string(url_.port), tcp::resolver::numeric_service,
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                             resolved = true;
                           });
    conn->ioc.run_for(ToChrono(options_.connect_timeout));
    if (!resolved) {
      resolver.cancel();
      conn->ioc.restart();
      conn->ioc.run();
      return absl::DeadlineExceededError(absl::StrCat("cannot resolve ", url_.host, ": timed out"));
    }
    if (ec)
      return absl::UnavailableError(absl::StrCat("cannot resolve ", url_.host, ": ", ec.message()));
    conn->stream.expires_after(ToChrono(options_.connect_timeout));
    conn->stream.async_connect(endpoints,
                               [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    conn->ioc.restart();
    conn->ioc.run();
    if (ec) return IoError("cannot connect to", ec);
    conn->stream.socket().set_option(tcp::no_delay(true), ec);
    opened_.fetch_add(1);
    return conn;
  }

  absl::StatusOr<ClientResponse> Exchange(Connection& conn, const ClientRequest& request,
                                          bool* got_bytes, bool* keep_alive) {
    bhttp::request<bhttp::string_body> req;
    req.method_string(request.method);
    req.target(url_.prefix + request.target);
    req.version(11);
    for (const auto& [name, value] : request.headers.fields()) req.insert(name, value);
    req.set(bhttp::field::host, url_.HostPort());
    if (!request.headers.Has("User-Agent")) req.set(bhttp::field::user_agent, options_.user_agent);
    req.body() = request.body;
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      req.content_length(request.body.size());
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(kMaxResponseHeaderBytes);
    parser.body_limit(options_.max_response_bytes);
    if (request.method == "HEAD") parser.skip(true);

    // The header is read on its own (non-eager) first: Beast 1.74's eager async_read
    // sets a response's body state before checking Content-Length against body_limit and
    // then parses on, losing the error.
    beast::error_code ec;
    conn.stream.expires_after(ToChrono(options_.request_timeout));
    bhttp::async_write(conn.stream, req, [&](beast::error_code e, size_t) {
      ec = e;
      if (e) return;
      bhttp::async_read_header(conn.stream, conn.buffer, parser, [&](beast::error_code e2, size_t) {
        ec = e2;
        if (e2 || parser.is_done()) return;
        bhttp::async_read(conn.stream, conn.buffer, parser,
                          [&](beast::error_code e3, size_t) { ec = e3; });
      });
    });
    conn.ioc.restart();
    conn.ioc.run();
    *got_bytes = parser.got_some();
    if (ec) return IoError("request to", ec);
    auto& res = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.Add(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(res.body());
    *keep_alive = res.keep_alive() && conn.buffer.size() == 0;
    return out;
  }

  const Url url_;
  const ClientOptions options_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> opened_{0};
};

absl::StatusOr<std::unique_ptr<Client>> Client::Create(std::string_view base_url,
                                                       ClientOptions options) {
  auto url = ParseUrl(base_url);
  if (!url.ok()) return url.status();
  return std::unique_ptr<Client>(
      new Client(std::make_unique<Impl>(*std::move(url), std::move(options))));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

absl::StatusOr<ClientResponse> Client::Do(const ClientRequest& request) {
  return impl_->Do(request);
}

absl::StatusOr<ClientResponse> Client::Get(std::string_view target) {
  ClientRequest r;
  r.target = std::string(target);
  return Do(r);
}

absl::StatusOr<ClientResponse> Client::Post(std::string_view target, std::string body,
                                            std::string_view content_type) {
  ClientRequest r;
  r.method = "POST";
  r.target = std::string(target);
  r.body = std::move(body);
  r.headers.Set("Content-Type", std::string(content_type));
  return Do(r);
}

absl::Status StatusFromResponse(const ClientResponse& response) {
  const int status = response.status;
  if (status < 400) return absl::OkStatus();
  std::string message = absl::StrCat("HTTP ", status, " ", std::string(ReasonPhrase(status)));
  const nlohmann::json doc = util::ParseJson(response.body).value_or(nlohmann::json());
  if (doc.is_object()) {
    const auto detail = doc.find("detail");
    const auto title = doc.find("title");
    if (detail != doc.end() && detail->is_string()) {
      absl::StrAppend(&message, ": ", detail->get<std::string>());
    } else if (title != doc.end() && title->is_string()) {
      absl::StrAppend(&message, ": ", title->get<std::string>());
    }
  }
  switch (status) {
    case 401:
      return absl::UnauthenticatedError(message);
    case 403:
      return absl::PermissionDeniedError(message);
    case 404:
      return absl::NotFoundError(message);
    case 409:
      return absl::FailedPreconditionError(message);
    case 429:
    case 503:
      return absl::UnavailableError(message);
    case 501:
      return absl::UnimplementedError(message);
    case 408:
    case 504:
      return absl::DeadlineExceededError(message);
    default:
      break;
  }
  return status < 500 ? absl::InvalidArgumentError(message) : absl::InternalError(message);
}

const Url& Client::url() const { return impl_->url(); }
size_t Client::idle_connections() const { return impl_->idle(); }
uint64_t Client::connections_opened() const { return impl_->opened(); }

}  // namespace accord::http
