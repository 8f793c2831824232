// Internal to src/http (includes Boost.Beast): one accepted connection's state machine.
// What it shares with the server and the other connections is in server_core.h.
//
// A connection runs on its own strand; all its members are touched only there. Its life:
//
//   idle ──first byte──▶ header ──▶ [body] ──▶ handler ──▶ write ──▶ idle (keep-alive)
//                                                                 └─▶ linger ──▶ closed
//
// One timer covers the current phase (idle, header, body, handler, write, linger
// timeouts). Errors found before the handler runs are answered with problem details;
// those that leave unread bytes behind close the connection after lingering.
#ifndef ACCORD_HTTP_CONNECTION_H_
#define ACCORD_HTTP_CONNECTION_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>  // before Asio: Boost 1.74 under C++20

#include "absl/time/time.h"
#include "src/http/router.h"
#include "src/http/server_core.h"
#include "src/http/server_options.h"

namespace accord::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `socket` is bound to a strand of its own.
  Connection(tcp::socket socket, std::shared_ptr<ServerCore> core);
  ~Connection();

  // Each posts onto the connection's strand; callable from any thread.
  void Start();
  void Shutdown();    // graceful: close if idle, else after the current response
  void ForceClose();  // close now
  // An async handler's answer for request number `seq` (nullopt: Responder dropped).
  void Deliver(uint64_t seq, std::optional<Response> response);

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandler, kWrite, kLinger, kClosed };
  using Parser = beast::http::request_parser<beast::http::string_body>;

  void ReadNext();
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void OnHeaderError(beast::error_code ec);
  // Checks the request head and finds its route; false if it answered with an error.
  bool Route(bool has_body);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void Dispatch();
  void OnAnswer(uint64_t seq, std::optional<Response> response);
  // Answers with problem details; `close` when unread request bytes may follow.
  void Fail(int status, std::string_view problem, std::string_view detail, bool close = true);
  void Send(Response response, bool close);
  void OnWritten(beast::error_code ec, bool close);
  void Linger();
  void Close();
  void Arm(absl::Duration timeout);
  void OnTimeout();
  std::string_view MethodLabel() const;

  tcp::socket socket_;
  asio::steady_timer timer_;
  const std::shared_ptr<ServerCore> core_;
  const ServerOptions& options_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  beast::http::response<beast::http::string_body> response_;

  Phase phase_ = Phase::kIdle;
  uint64_t timer_generation_ = 0;
  bool timed_out_ = false;
  bool stopping_ = false;
  size_t lingered_bytes_ = 0;

  // The request in progress.
  uint64_t seq_ = 0;
  std::string method_, target_;
  const Router::Route* route_ = nullptr;
  std::string path_;
  QueryParams query_;
  PathParams params_;
  bool head_ = false;
  bool keep_alive_ = true;
  int version_ = 11;
  bool in_flight_ = false;  // counted in the in-flight gauge
  size_t request_body_bytes_ = 0;
  int status_ = 0;
  absl::Time started_;
};

}  // namespace accord::http::internal

#endif  // ACCORD_HTTP_CONNECTION_H_
