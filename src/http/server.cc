#include "src/http/server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <charconv>
#include <exception>
#include <thread>
#include <utility>  // before Asio: Boost 1.74 under C++20

#include "absl/strings/str_cat.h"
#include "src/http/connection.h"
#include "src/http/server_core.h"

namespace accord::http {

using internal::asio::ip::tcp;
namespace asio = internal::asio;

class Server::Impl {
 public:
  explicit Impl(ServerOptions options)
      : options_(std::move(options)),
        acceptor_(asio::make_strand(ioc_)),
        retry_timer_(acceptor_.get_executor()),
        work_(asio::make_work_guard(ioc_)) {}

  ~Impl() { Stop(absl::ZeroDuration()); }

  // The routes to serve; once, after Listen and before Start.
  void Serve(Router router) {
    core_ = std::make_shared<internal::ServerCore>(std::move(router), options_);
  }

  absl::Status Listen() {
    std::string host;
    uint16_t port = 0;
    if (auto s = SplitHostPort(options_.listen, &host, &port); !s.ok()) return s;
    boost::system::error_code ec;
    tcp::resolver resolver(ioc_);
    const auto results = resolver.resolve(
        host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot resolve listen address ", options_.listen, ": ", ec.message()));
    }
    const tcp::endpoint endpoint = results.begin()->endpoint();
    const auto fail = [&](std::string_view step) {
      return absl::UnavailableError(
          absl::StrCat("cannot ", std::string(step), " ", options_.listen, ": ", ec.message()));
    };
    if (acceptor_.open(endpoint.protocol(), ec)) return fail("open a socket for");
    if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec)) return fail("configure");
    if (acceptor_.bind(endpoint, ec)) return fail("bind");
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen on");
    local_ = acceptor_.local_endpoint(ec);
    if (ec) return fail("read the bound address of");
    return absl::OkStatus();
  }

  void Start() {
    if (started_.exchange(true)) return;
    int n = core_->options().io_threads;
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    asio::post(acceptor_.get_executor(), [this] { Accept(); });
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
  }

  void Stop(absl::Duration deadline) {
    if (stopped_.exchange(true)) return;
    if (!core_) return;  // bound, never served: the acceptor closes with this
    core_->SetStopping();
    if (started_) {
      asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        retry_timer_.cancel();
      });
      for (const auto& c : core_->Snapshot()) c->Shutdown();
      if (!core_->AwaitNoConnections(absl::Now() + deadline)) {
        for (const auto& c : core_->Snapshot()) c->ForceClose();
        core_->AwaitNoConnections(absl::Now() + absl::Seconds(5));
      }
    }
    core_->StopRunning();
    work_.reset();
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    core_->DropAll();
  }

  uint16_t port() const { return local_.port(); }
  std::string address() const {
    const std::string a = local_.address().to_string();
    return local_.address().is_v6() ? absl::StrCat("[", a, "]:", local_.port())
                                    : absl::StrCat(a, ":", local_.port());
  }
  const internal::ServerCore& core() const { return *core_; }

 private:
  void Run() {
    while (true) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        core_->LogError(absl::StrCat("I/O thread caught: ", e.what()));
      } catch (...) {
        core_->LogError("I/O thread caught an unknown exception");
      }
    }
  }

  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(ioc_), [this](boost::system::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
          if (ec) {
            // Out of descriptors or memory: back off instead of spinning.
            core_->LogError(absl::StrCat("accept failed: ", ec.message()));
            retry_timer_.expires_after(std::chrono::milliseconds(50));
            retry_timer_.async_wait([this](boost::system::error_code e) {
              if (!e) Accept();
            });
            return;
          }
          if (core_->open() >= core_->options().max_connections) {
            Reject(std::move(socket));
          } else {
            auto c = std::make_shared<internal::Connection>(std::move(socket), core_);
            if (core_->Register(c)) c->Start();
          }
          Accept();
        });
  }

  // Over the connection limit: a canned 503 if the socket takes it at once, then close.
  void Reject(tcp::socket socket) {
    core_->CountRejected();
    static const std::string kOverloaded = [] {
      const Response r = Response::Problem(503, problem::kOverloaded, "too many open connections");
      return absl::StrCat(
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: ", std::string(kProblemContentType),
          "\r\nRetry-After: ", kRetryAfterSeconds,
          "\r\nConnection: close\r\nContent-Length: ", r.body.size(), "\r\n\r\n", r.body);
    }();
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(kOverloaded), ignored);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  const ServerOptions options_;
  // Destroyed last to first: the io_context (and every handler it still holds) goes
  // before core_, which connections reference. Set by Serve.
  std::shared_ptr<internal::ServerCore> core_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::endpoint local_;
  std::vector<std::thread> threads_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
};

absl::StatusOr<std::unique_ptr<Server>> Server::Create(Router router, ServerOptions options) {
  return Create([&router]() -> absl::StatusOr<Router> { return std::move(router); },
                std::move(options));
}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(
    const std::function<absl::StatusOr<Router>()>& routes, ServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (auto s = impl->Listen(); !s.ok()) return s;
  auto router = routes();
  if (!router.ok()) return router.status();
  impl->Serve(*std::move(router));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;
void Server::Start() { impl_->Start(); }
void Server::Stop(absl::Duration deadline) { impl_->Stop(deadline); }
uint16_t Server::port() const { return impl_->port(); }
std::string Server::address() const { return impl_->address(); }
std::vector<RouteInfo> Server::Routes() const { return impl_->core().router().Routes(); }
size_t Server::open_connections() const { return impl_->core().open(); }

absl::Status SplitHostPort(std::string_view hostport, std::string* host, uint16_t* port) {
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad address \"", std::string(hostport), "\": ", std::string(why)));
  };
  size_t colon;
  if (!hostport.empty() && hostport[0] == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return bad("unclosed \"[\"");
    *host = std::string(hostport.substr(1, close - 1));
    colon = close + 1;
    if (colon >= hostport.size() || hostport[colon] != ':') return bad("want [v6]:port");
  } else {
    colon = hostport.rfind(':');
    if (colon == std::string_view::npos) return bad("want host:port");
    *host = std::string(hostport.substr(0, colon));
    if (host->find(':') != std::string::npos) return bad("IPv6 addresses need brackets");
  }
  if (host->empty()) return bad("empty host");
  const std::string_view digits = hostport.substr(colon + 1);
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
      value > 65535) {
    return bad("port must be a number in 0–65535");
  }
  *port = static_cast<uint16_t>(value);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint16_t>> ReserveLoopbackPorts(int n) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  absl::Status status;
  for (int i = 0; i < n && status.ok(); ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      status = absl::InternalError("socket() failed");
      break;
    }
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      status = absl::UnavailableError("cannot bind a port on 127.0.0.1");
      break;
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  if (!status.ok()) return status;
  return ports;
}

}  // namespace accord::http
