// accord_load's "async" driver: Asio sockets, a few I/O threads, many connections each.
//
// This is a load generator, not a general HTTP client: every request is the same
// POST with a Content-Length body, one at a time per connection (no pipelining), and
// answers are read by their Content-Length (the node never chunks). Anything else — a
// malformed answer, a reset — counts as a transport error and the connection is opened
// again. The project's own client (src/http) is the "threads" driver; this one exists
// because on a 2-core machine the generator must leave the cores to the node.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <memory>
#include <thread>
#include <utility>  // before Asio: Boost 1.74 under C++20

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "bench/load.h"
#include "src/http/client.h"
#include "src/http/message.h"
#include "src/util/strings.h"

namespace accord::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// What an answer's head says about its body and the connection.
struct Head {
  int status = 0;
  size_t content_length = 0;
  bool close = false;
};

// Parses "HTTP/1.1 201 Created\r\nContent-Length: 123\r\n…\r\n\r\n"; false if malformed.
bool ParseHead(std::string_view head, Head& out) {
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return false;
  const char* s = head.data() + 9;
  if (std::from_chars(s, s + 3, out.status).ec != std::errc()) return false;
  bool have_length = false;
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const size_t end = head.find("\r\n", pos + 2);
    std::string_view line = head.substr(pos + 2, end - pos - 2);
    pos = end;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = util::StripWhitespace(line.substr(colon + 1));
    if (http::EqualsIgnoreCase(name, "content-length")) {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), out.content_length);
      if (ec != std::errc()) return false;
      have_length = true;
    } else if (http::EqualsIgnoreCase(name, "connection")) {
      out.close = http::EqualsIgnoreCase(value, "close");
    }
  }
  return have_length;
}

struct Shared {
  const std::vector<std::string>& envelopes;
  Dispenser& dispenser;
  tcp::endpoint endpoint;
  std::string head_prefix;  // request line and headers up to "Content-Length: "
  size_t receipt_every;
};

// One keep-alive connection sending one request after another until the dispenser
// runs dry. Lives as long as an operation holds it (shared_from_this).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& ioc, Shared& shared, Tally& tally)
      : socket_(ioc), shared_(shared), tally_(tally) {}

  void Start() { Connect(); }

 private:
  void Connect() {
    socket_.close();
    socket_.async_connect(shared_.endpoint, [self = shared_from_this()](error_code ec) {
      if (ec) return self->Fail(ec.message(), /*reconnect=*/false);
      self->socket_.set_option(tcp::no_delay(true));
      self->Send();
    });
  }

  void Send() {
    envelope_ = shared_.dispenser.Next();
    if (envelope_ < 0) {
      socket_.close();
      return;
    }
    const std::string& body = shared_.envelopes[envelope_];
    request_.assign(shared_.head_prefix);
    absl::StrAppend(&request_, body.size(), "\r\n\r\n");
    request_.append(body);
    sent_at_ = Clock::now();
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->Fail(ec.message(), true);
                        self->ReadHead();
                      });
  }

  void ReadHead() {
    asio::async_read_until(socket_, asio::dynamic_buffer(in_), "\r\n\r\n",
                           [self = shared_from_this()](error_code ec, size_t head_bytes) {
                             if (ec) return self->Fail(ec.message(), true);
                             self->OnHead(head_bytes);
                           });
  }

  void OnHead(size_t head_bytes) {
    Head head;
    if (!ParseHead(std::string_view(in_).substr(0, head_bytes), head)) {
      return Fail("malformed answer", true);
    }
    const size_t total = head_bytes + head.content_length;
    if (in_.size() >= total) return OnAnswer(head, head_bytes);
    asio::async_read(socket_, asio::dynamic_buffer(in_), asio::transfer_exactly(total - in_.size()),
                     [self = shared_from_this(), head, head_bytes](error_code ec, size_t) {
                       if (ec) return self->Fail(ec.message(), true);
                       self->OnAnswer(head, head_bytes);
                     });
  }

  void OnAnswer(const Head& head, size_t head_bytes) {
    const std::string_view body = std::string_view(in_).substr(head_bytes, head.content_length);
    Record(tally_, envelope_, head.status, body, Clock::now() - sent_at_, shared_.receipt_every);
    in_.erase(0, head_bytes + head.content_length);
    if (head.close) return Connect();
    Send();
  }

  // Counts the failure of the request in progress (if any) and goes on with a fresh
  // connection, or gives up if even connecting failed.
  void Fail(const std::string& why, bool reconnect) {
    Record(tally_, envelope_ < 0 ? 0 : envelope_, 0, why, Clock::now() - sent_at_, 0);
    in_.clear();
    if (reconnect) Connect();
  }

  tcp::socket socket_;
  Shared& shared_;
  Tally& tally_;
  int64_t envelope_ = -1;
  std::string request_, in_;
  Clock::time_point sent_at_;
};

}  // namespace

absl::StatusOr<LoadResult> RunAsync(const LoadOptions& options,
                                    const std::vector<std::string>& envelopes) {
  auto url = http::ParseUrl(options.url);
  if (!url.ok()) return url.status();
  error_code ec;
  const auto address = asio::ip::make_address(url->host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("not an IP address: ", url->host));

  const auto start = Clock::now();
  Dispenser dispenser(envelopes.size(),
                      start + std::chrono::nanoseconds(absl::ToInt64Nanoseconds(options.duration)));
  Shared shared{
      envelopes, dispenser, tcp::endpoint(address, url->port),
      absl::StrCat("POST ", url->prefix, "/v1/statements HTTP/1.1\r\nHost: ", url->HostPort(),
                   "\r\nUser-Agent: accord_load\r\nContent-Type: application/json\r\n"
                   "Content-Length: "),
      options.receipt_every};
  const int threads = std::max(1, options.threads);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<Tally> tallies(options.connections);
  for (int t = 0; t < threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  for (int c = 0; c < options.connections; ++c) {
    auto conn = std::make_shared<Connection>(*contexts[c % threads], shared, tallies[c]);
    conn->Start();
  }
  std::vector<std::thread> runners;
  for (auto& ioc : contexts) runners.emplace_back([&ioc] { ioc->run(); });
  // A node that stops answering must not hang the benchmark: a minute after the last
  // request could have been sent, whatever is still open is abandoned.
  absl::Notification finished;
  std::thread watchdog([&] {
    if (finished.WaitForNotificationWithTimeout(options.duration + absl::Seconds(60))) return;
    for (auto& ioc : contexts) ioc->stop();
  });
  for (auto& r : runners) r.join();
  finished.Notify();
  watchdog.join();

  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.sent = dispenser.handed_out();
  for (auto& t : tallies) result.tally.Merge(std::move(t));
  return result;
}

}  // namespace accord::bench
