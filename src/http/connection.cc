#include "src/http/connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <ctime>
#include <exception>
#include <limits>

#include "absl/strings/str_cat.h"

namespace accord::http::internal {
namespace bhttp = beast::http;
namespace {

constexpr size_t kMaxLingerBytes = 1024 * 1024;
constexpr size_t kReadChunk = 4096;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// RFC 9110 §5.6.7 IMF-fixdate, formatted at most once a second per thread.
std::string_view HttpDate() {
  thread_local std::time_t last = 0;
  thread_local char text[40];
  const std::time_t now = std::time(nullptr);
  if (now != last) {
    std::tm tm;
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    last = now;
  }
  return text;
}

std::string FormatEndpoint(const tcp::endpoint& e) {
  const std::string addr = e.address().to_string();
  return e.address().is_v6() ? absl::StrCat("[", addr, "]:", e.port())
                             : absl::StrCat(addr, ":", e.port());
}

bool IsClosedByPeer(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == asio::error::broken_pipe;
}

constexpr char kOnlyChunked[] =
    "the only transfer coding accepted is a single \"Transfer-Encoding: chunked\"";

// RFC 9112 §6: the framing of a request that carries Transfer-Encoding. Accepted only
// as one field line whose value is exactly "chunked" (lower case, as every client
// sends it: intermediaries that matched coding names case-sensitively, or took the
// first or the last of two fields, have let requests be smuggled past them).
// InvalidArgument (400, close) for framing that is faulty: Transfer-Encoding beside
// Content-Length (§6.3), or in an HTTP/1.0 request (§6.1: "MUST treat the message as if
// the framing is faulty"); Unimplemented (501, close) for any other coding, list or
// spelling ("gzip, chunked", "chunked, chunked", "identity", "Chunked", two fields).
absl::Status CheckTransferEncoding(const bhttp::request<bhttp::string_body>& h, int version) {
  const size_t fields = h.count(bhttp::field::transfer_encoding);
  if (fields == 0) return absl::OkStatus();
  if (h.count(bhttp::field::content_length) > 0) {
    return absl::InvalidArgumentError("Content-Length with Transfer-Encoding (RFC 9112 §6.3)");
  }
  if (version < 11) {
    return absl::InvalidArgumentError(
        "Transfer-Encoding in an HTTP/1.0 request: its framing is faulty (RFC 9112 §6.1)");
  }
  const auto value = h.find(bhttp::field::transfer_encoding)->value();
  if (fields != 1 || std::string_view(value.data(), value.size()) != "chunked") {
    return absl::UnimplementedError(kOnlyChunked);
  }
  return absl::OkStatus();
}

// Hands an async handler's answer to its connection, through the server's gate.
class Sink final : public Responder::Sink {
 public:
  Sink(std::weak_ptr<Connection> connection, std::shared_ptr<ServerCore> core, uint64_t seq)
      : connection_(std::move(connection)), core_(std::move(core)), seq_(seq) {}
  void Deliver(std::optional<Response> response) override {
    core_->IfRunning([&] {
      if (auto c = connection_.lock()) c->Deliver(seq_, std::move(response));
    });
  }

 private:
  const std::weak_ptr<Connection> connection_;
  const std::shared_ptr<ServerCore> core_;
  const uint64_t seq_;
};

}  // namespace

Connection::Connection(tcp::socket socket, std::shared_ptr<ServerCore> core)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      core_(std::move(core)),
      options_(core_->options()),
      buffer_(options_.max_header_bytes + options_.max_target_bytes + 2 * kReadChunk) {
  beast::error_code ec;
  const tcp::endpoint remote = socket_.remote_endpoint(ec);
  remote_ = ec ? "unknown" : FormatEndpoint(remote);
  core_->CountConnection(+1);
}

Connection::~Connection() {
  if (in_flight_) core_->CountInFlight(-1);
  core_->CountConnection(-1);
}

void Connection::Start() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->ReadNext(); });
}

void Connection::Shutdown() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->phase_ == Phase::kIdle) self->Close();
  });
}

void Connection::ForceClose() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void Connection::Deliver(uint64_t seq, std::optional<Response> response) {
  asio::post(socket_.get_executor(),
             [self = shared_from_this(), seq, r = std::move(response)]() mutable {
               self->OnAnswer(seq, std::move(r));
             });
}

// Timers

void Connection::Arm(absl::Duration timeout) {
  timed_out_ = false;
  const uint64_t generation = ++timer_generation_;
  if (timeout > absl::Hours(24 * 365)) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(std::chrono::nanoseconds(absl::ToInt64Nanoseconds(timeout)));
  timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
    if (!ec && generation == self->timer_generation_) self->OnTimeout();
  });
}

void Connection::OnTimeout() {
  timed_out_ = true;
  beast::error_code ignored;
  switch (phase_) {
    case Phase::kIdle:
    case Phase::kHeader:
    case Phase::kBody:
    case Phase::kLinger:
      socket_.cancel(ignored);  // the pending read completes with operation_aborted
      break;
    case Phase::kHandler:
      Fail(504, problem::kTimeout, "the request handler did not answer in time",
           /*close=*/false);
      break;
    case Phase::kWrite:
      Close();
      break;
    case Phase::kClosed:
      break;
  }
}

// Reading

void Connection::ReadNext() {
  phase_ = Phase::kIdle;
  if (stopping_ || core_->stopping()) return Close();
  if (buffer_.size() > 0) return ReadHeader();  // pipelined
  Arm(options_.idle_timeout);
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->buffer_.commit(n);
                            if (ec || n == 0) return self->Close();
                            self->ReadHeader();
                          });
}

void Connection::ReadHeader() {
  phase_ = Phase::kHeader;
  route_ = nullptr;
  method_.clear();
  target_.clear();
  head_ = false;
  status_ = 0;
  request_body_bytes_ = 0;
  parser_.emplace();
  parser_->header_limit(
      static_cast<uint32_t>(options_.max_header_bytes + options_.max_target_bytes));
  // Checked per route once the headers are in. (Not boost::none: Beast 1.74 compares
  // the length with the optional, and every length exceeds none.)
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  Arm(options_.header_timeout);
  bhttp::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Connection::OnHeader(beast::error_code ec) {
  started_ = absl::Now();
  if (ec) return OnHeaderError(ec);
  const auto& h = parser_->get();
  method_ = std::string(h.method_string());
  target_ = std::string(h.target());
  version_ = static_cast<int>(h.version());
  keep_alive_ = parser_->keep_alive();
  head_ = method_ == "HEAD";
  const bool has_body = !parser_->is_done();
  if (!Route(has_body)) return;  // answered

  const size_t limit = route_->options.max_body_bytes.value_or(options_.max_body_bytes);
  const auto length = parser_->content_length();
  if (length.has_value() && *length > limit) {
    return Fail(413, problem::kBodyTooLarge,
                absl::StrCat("request body of ", *length, " bytes exceeds the limit of ", limit));
  }
  if (!has_body) return Dispatch();
  parser_->body_limit(limit);
  const auto expect = h.find(bhttp::field::expect);
  if (expect != h.end() &&
      EqualsIgnoreCase(std::string_view(expect->value().data(), expect->value().size()),
                       "100-continue")) {
    phase_ = Phase::kWrite;
    Arm(options_.write_timeout);
    return asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->Close();
                               self->ReadBody();
                             });
  }
  ReadBody();
}

void Connection::OnHeaderError(beast::error_code ec) {
  if (timed_out_) {
    return Fail(408, problem::kRequestTimeout,
                absl::StrCat("request headers not received within ",
                             absl::FormatDuration(options_.header_timeout)));
  }
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    // Beast parses (and consumes) the request line first: if it did not complete,
    // the line itself, hence the target, was too long.
    const auto target = parser_->get().target();
    if (target.empty() || target.size() > options_.max_target_bytes) {
      target_ = std::string(target.substr(0, options_.max_target_bytes));
      return Fail(414, problem::kTargetTooLong,
                  absl::StrCat("request target longer than ", options_.max_target_bytes, " bytes"));
    }
    return Fail(431, problem::kHeadersTooLarge,
                absl::StrCat("request headers larger than ", options_.max_header_bytes, " bytes"));
  }
  if (IsClosedByPeer(ec)) return Close();
  // Beast refuses a Transfer-Encoding field after one that ended in chunked; without a
  // Content-Length before it, that is a repeated coding (501, as on one line), not a
  // conflict with a length (400).
  if (ec == bhttp::error::bad_transfer_encoding &&
      parser_->get().count(bhttp::field::content_length) == 0) {
    return Fail(501, problem::kNotImplemented, kOnlyChunked);
  }
  Fail(400, problem::kMalformedRequest, absl::StrCat("malformed HTTP: ", ec.message()));
}

bool Connection::Route(bool has_body) {
  const auto& h = parser_->get();
  if (target_.size() > options_.max_target_bytes) {
    target_.resize(options_.max_target_bytes);
    Fail(414, problem::kTargetTooLong,
         absl::StrCat("request target longer than ", options_.max_target_bytes, " bytes"));
    return false;
  }
  size_t header_bytes = method_.size() + 12;
  for (const auto& f : h) header_bytes += f.name_string().size() + f.value().size() + 4;
  if (header_bytes > options_.max_header_bytes) {
    Fail(431, problem::kHeadersTooLarge,
         absl::StrCat("request headers larger than ", options_.max_header_bytes, " bytes"));
    return false;
  }
  if (version_ == 11 && h.count(bhttp::field::host) != 1) {
    Fail(400, problem::kMalformedRequest, "HTTP/1.1 request without exactly one Host");
    return false;
  }
  if (absl::Status framing = CheckTransferEncoding(h, version_); !framing.ok()) {
    const bool unsupported = absl::IsUnimplemented(framing);
    Fail(unsupported ? 501 : 400,
         unsupported ? problem::kNotImplemented : problem::kMalformedRequest,
         std::string(framing.message()));
    return false;
  }
  // Errors from here on keep the connection unless a body was left unread.
  auto target = ParseTarget(target_);
  if (!target.ok()) {
    Fail(400, problem::kBadTarget, std::string(target.status().message()), has_body);
    return false;
  }
  Router::Match match = core_->router().Find(method_, target->path);
  if (match.route == nullptr && match.allowed.empty()) {
    Fail(404, problem::kNotFound, absl::StrCat("no resource at ", target->path), has_body);
    return false;
  }
  if (match.route == nullptr) {
    std::string allow;
    for (const std::string& m : match.allowed) {
      absl::StrAppend(&allow, allow.empty() ? "" : ", ", m);
    }
    Response r = Response::Problem(405, problem::kMethodNotAllowed,
                                   absl::StrCat(method_, " is not allowed here; allowed: ", allow));
    r.headers.Set("Allow", allow);
    Send(std::move(r), has_body);
    return false;
  }
  if (absl::Status query = CheckQuery(match.route->options, target->query); !query.ok()) {
    Fail(400, problem::kInvalidArgument, std::string(query.message()), has_body);
    return false;
  }
  route_ = match.route;
  path_ = std::move(target->path);
  query_ = std::move(target->query);
  params_ = std::move(match.params);
  return true;
}

void Connection::ReadBody() {
  phase_ = Phase::kBody;
  Arm(options_.body_timeout);
  bhttp::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Connection::OnBody(beast::error_code ec) {
  if (!ec) return Dispatch();
  if (timed_out_) {
    return Fail(408, problem::kRequestTimeout,
                absl::StrCat("request body not received within ",
                             absl::FormatDuration(options_.body_timeout)));
  }
  if (ec == bhttp::error::body_limit) {
    return Fail(
        413, problem::kBodyTooLarge,
        absl::StrCat("request body exceeds the limit of ",
                     route_->options.max_body_bytes.value_or(options_.max_body_bytes), " bytes"));
  }
  if (IsClosedByPeer(ec)) return Close();
  Fail(400, problem::kMalformedRequest, absl::StrCat("malformed HTTP body: ", ec.message()));
}

// Handling

void Connection::Dispatch() {
  phase_ = Phase::kHandler;
  ++seq_;
  in_flight_ = true;
  core_->CountInFlight(+1);

  Request req;
  req.method = method_;
  req.target = target_;
  req.path = std::move(path_);
  req.query = std::move(query_);
  for (const auto& f : parser_->get()) {
    req.headers.Add(std::string(f.name_string()), std::string(f.value()));
  }
  req.body = std::move(parser_->get().body());
  request_body_bytes_ = req.body.size();
  req.remote_address = remote_;
  req.version = version_;
  req.params = std::move(params_);
  req.route = route_->pattern;
  parser_.reset();

  if (route_->handler) {
    Response response;
    try {
      response = route_->handler(req);
    } catch (const std::exception& e) {
      core_->LogError(absl::StrCat("handler for ", route_->pattern, " threw: ", e.what()));
      response = Response::FromStatus(absl::InternalError(e.what()));
    } catch (...) {
      core_->LogError(absl::StrCat("handler for ", route_->pattern, " threw"));
      response = Response::FromStatus(absl::InternalError("exception"));
    }
    return OnAnswer(seq_, std::move(response));
  }
  Arm(options_.handler_timeout);
  try {
    route_->async_handler(req, Responder(std::make_shared<Sink>(weak_from_this(), core_, seq_)));
  } catch (const std::exception& e) {
    core_->LogError(absl::StrCat("handler for ", route_->pattern, " threw: ", e.what()));
    OnAnswer(seq_, Response::FromStatus(absl::InternalError(e.what())));
  } catch (...) {
    core_->LogError(absl::StrCat("handler for ", route_->pattern, " threw"));
    OnAnswer(seq_, Response::FromStatus(absl::InternalError("exception")));
  }
}

void Connection::OnAnswer(uint64_t seq, std::optional<Response> response) {
  if (phase_ != Phase::kHandler || seq != seq_) return;  // late: timed out or closed
  if (!response.has_value()) {
    core_->LogError(
        absl::StrCat("handler for ", route_->pattern, " dropped its Responder without answering"));
    response = Response::FromStatus(absl::InternalError("no answer"));
  }
  const bool close = EqualsIgnoreCase(response->headers.Get("Connection").value_or(""), "close");
  Send(*std::move(response), !keep_alive_ || close);
}

void Connection::Fail(int status, std::string_view problem, std::string_view detail, bool close) {
  Send(Response::Problem(status, problem, detail), close || !keep_alive_);
}

// Writing

void Connection::Send(Response r, bool close) {
  close = close || stopping_ || core_->stopping();
  if (r.status < 100 || r.status > 599) {
    core_->LogError(
        absl::StrCat("handler for ", route_ ? route_->pattern : "", " returned status ", r.status));
    r = Response::FromStatus(absl::InternalError("bad status"));
  }
  status_ = r.status;
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(r.status));
  for (auto& [name, value] : r.headers.fields()) {
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection") ||
        EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Date")) {
      continue;
    }
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      core_->LogError(absl::StrCat("dropped response header with CR, LF or ':' in ", name));
      continue;
    }
    response_.insert(name, value);
  }
  const std::string_view date = HttpDate();
  response_.set(bhttp::field::date, beast::string_view(date.data(), date.size()));
  if (close) {
    response_.set(bhttp::field::connection, "close");
  } else if (version_ == 10) {
    response_.set(bhttp::field::connection, "keep-alive");
  }
  const bool no_body = r.status < 200 || r.status == 204 || r.status == 304;
  if (!no_body) response_.content_length(r.body.size());
  if (!no_body && !head_) response_.body() = std::move(r.body);

  phase_ = Phase::kWrite;
  Arm(options_.write_timeout);
  bhttp::async_write(socket_, response_,
                     [self = shared_from_this(), close](beast::error_code ec, size_t) {
                       self->OnWritten(ec, close);
                     });
}

std::string_view Connection::MethodLabel() const {
  if (route_ != nullptr) return method_;  // a registered method, or HEAD
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method_ == m) return m;
  }
  return "OTHER";
}

void Connection::OnWritten(beast::error_code ec, bool close) {
  const absl::Duration latency = absl::Now() - started_;
  core_->CountRequest(MethodLabel(), route_ ? std::string_view(route_->pattern) : "", status_,
                      latency);
  if (in_flight_) {
    in_flight_ = false;
    core_->CountInFlight(-1);
  }
  if (options_.access_log) {
    AccessRecord record{remote_,
                        method_,
                        target_,
                        route_ ? route_->pattern : "",
                        status_,
                        request_body_bytes_,
                        response_.body().size(),
                        latency};
    if (head_) record.response_body_bytes = 0;
    options_.access_log(record);
  }
  response_ = {};
  if (ec) return Close();
  if (close) return Linger();
  ReadNext();
}

// Closing

void Connection::Linger() {
  phase_ = Phase::kLinger;
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  buffer_.consume(buffer_.size());
  lingered_bytes_ = 0;
  Arm(options_.linger_timeout);
  struct Reader {
    std::shared_ptr<Connection> self;
    void operator()(beast::error_code ec, size_t n) {
      Connection& c = *self;
      c.lingered_bytes_ += n;
      if (ec || c.timed_out_ || c.lingered_bytes_ > kMaxLingerBytes) return c.Close();
      c.socket_.async_read_some(asio::buffer(c.buffer_.prepare(kReadChunk)), std::move(*this));
    }
  };
  Reader{shared_from_this()}(beast::error_code(), 0);
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  ++timer_generation_;
  timer_.cancel();
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (in_flight_) {
    in_flight_ = false;
    core_->CountInFlight(-1);
  }
  core_->Unregister(this);
}

}  // namespace accord::http::internal
