// The abuse matrix at the HTTP layer: every limit in server.h is provoked over a real
// socket and answered with its documented problem, and the server stays up.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "src/http/server.h"
#include "src/http/testing.h"

namespace accord::http {
namespace {

using testing::RawConnection;
using testing::StartServer;
using testing::WaitFor;

Router SmallRouter() {
  Router r;
  r.Handle("GET", "/ok", [](const Request&) { return Response::Text(200, "ok"); });
  r.Handle("GET", "/tile/*",
           [](const Request& q) { return Response::Text(200, std::string(q.PathParam("*"))); });
  r.Handle("POST", "/echo", [](const Request& q) { return Response::Text(200, q.body); });
  r.Handle("POST", "/small", [](const Request& q) { return Response::Text(200, q.body); },
           {.max_body_bytes = 10});
  return r;
}

ServerOptions TestLimits() {
  ServerOptions o;
  o.max_body_bytes = 1000;
  o.max_header_bytes = 2000;
  o.max_target_bytes = 200;
  o.header_timeout = absl::Milliseconds(300);
  o.body_timeout = absl::Milliseconds(300);
  o.idle_timeout = absl::Milliseconds(300);
  o.linger_timeout = absl::Milliseconds(500);
  return o;
}

// Expects `r` to be the problem `name` with `status`.
void ExpectProblem(const absl::StatusOr<testing::RawResponse>& r, int status,
                   std::string_view name) {
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/problem+json");
  const auto doc = nlohmann::json::parse(r->body);
  EXPECT_EQ(doc["type"], ProblemType(name));
  EXPECT_EQ(doc["status"], status);
  EXPECT_TRUE(doc.contains("detail"));
}

// Sends `bytes`, expects the problem and that the server closes the connection.
void ExpectProblemAndClose(uint16_t port, std::string_view bytes, int status,
                           std::string_view name) {
  auto conn = RawConnection::Open(port);
  ASSERT_TRUE(conn);
  conn->Send(bytes);  // may fail part-way once the server has answered
  auto r = conn->Read();
  ExpectProblem(r, status, name);
  if (r.ok()) {
    EXPECT_EQ(r->headers.Get("Connection"), "close");
  }
  EXPECT_TRUE(conn->WaitClosed());
}

// The server still answers a plain request.
void ExpectAlive(uint16_t port) {
  auto r = testing::Exchange(port, "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "ok");
}

class HttpLimits : public ::testing::Test {
 protected:
  void SetUp() override { server_ = StartServer(SmallRouter(), TestLimits()); }
  uint16_t port() const { return server_->port(); }
  std::unique_ptr<Server> server_;
};

TEST_F(HttpLimits, OversizedBodyIs413) {
  const std::string body(5000, 'x');
  ExpectProblemAndClose(
      port(), absl::StrCat("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n", body),
      413, problem::kBodyTooLarge);
  // Chunked bodies are counted as they arrive.
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "64\r\n" + std::string(100, 'y') + "\r\n";
  ExpectProblemAndClose(port(), chunked + "0\r\n\r\n", 413, problem::kBodyTooLarge);
  // A route's own limit applies; within it the body is served.
  ExpectProblemAndClose(port(),
                        "POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n"
                        "12345678901",
                        413, problem::kBodyTooLarge);
  auto fits = testing::Exchange(port(),
                                "POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 10"
                                "\r\n\r\n1234567890");
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->body, "1234567890");
  // A client waiting for 100-continue gets 413 instead, with nothing sent.
  ExpectProblemAndClose(port(),
                        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n"
                        "Expect: 100-continue\r\n\r\n",
                        413, problem::kBodyTooLarge);
  ExpectAlive(port());
}

TEST_F(HttpLimits, HugeHeadersAre431) {
  ExpectProblemAndClose(
      port(),
      absl::StrCat("GET /ok HTTP/1.1\r\nHost: t\r\nX-Big: ", std::string(5000, 'h'), "\r\n\r\n"),
      431, problem::kHeadersTooLarge);
  std::string many = "GET /ok HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 300; ++i) many += absl::StrCat("X-", i, ": v\r\n");
  ExpectProblemAndClose(port(), many + "\r\n", 431, problem::kHeadersTooLarge);
  // Endless header bytes without a blank line are cut off at the limit too.
  ExpectProblemAndClose(port(), "GET /ok HTTP/1.1\r\nHost: t\r\nX: " + std::string(100000, 'z'),
                        431, problem::kHeadersTooLarge);
  ExpectAlive(port());
}

TEST_F(HttpLimits, LongTargetIs414) {
  ExpectProblemAndClose(port(), "GET /ok?" + std::string(300, 'q') + " HTTP/1.1\r\nHost: t\r\n\r\n",
                        414, problem::kTargetTooLong);
  ExpectProblemAndClose(port(), "GET /" + std::string(100000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
                        414, problem::kTargetTooLong);
  ExpectAlive(port());
}

TEST_F(HttpLimits, SlowlorisHeadersGet408) {
  auto conn = RawConnection::Open(port());
  ASSERT_TRUE(conn->Send("GET /ok HTTP/1.1\r\n"));
  // Drip one header byte every 20 ms: each read is quick, but the headers never finish
  // within header_timeout (300 ms), which bounds the whole header, not each read.
  std::atomic<bool> stop{false};
  std::thread drip([&] {
    while (!stop && conn->Send("X")) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  const absl::Time start = absl::Now();
  auto r = conn->Read(absl::Seconds(10));
  stop = true;
  drip.join();
  ExpectProblem(r, 408, problem::kRequestTimeout);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(conn->WaitClosed());
  ExpectAlive(port());
}

TEST_F(HttpLimits, StalledBodyGets408) {
  auto conn = RawConnection::Open(port());
  ASSERT_TRUE(conn->Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly part"));
  ExpectProblem(conn->Read(), 408, problem::kRequestTimeout);
  EXPECT_TRUE(conn->WaitClosed());
}

TEST_F(HttpLimits, IdleKeepAliveConnectionIsClosedQuietly) {
  auto conn = RawConnection::Open(port());
  ASSERT_TRUE(conn->Send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(conn->Read().ok());
  const absl::Time start = absl::Now();
  EXPECT_TRUE(conn->WaitClosed());  // no 408 bytes first: WaitClosed would drop them
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(250));
  // A connection that never sends a byte is idle too.
  auto silent = RawConnection::Open(port());
  EXPECT_TRUE(silent->WaitClosed());
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }));
}

TEST_F(HttpLimits, MalformedHttpIs400AndClosed) {
  for (std::string_view bad : {
           "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /ok HTTP/9.9\r\nHost: t\r\n\r\n",
           "GET /ok HTTP/1.1\r\nHost t\r\n\r\n",
           "GET /ok HTTP/1.1\r\nHost: t\r\nBad Name: v\r\n\r\n", "GET /ok HTTP/1.1\nHost: t\n\n",
           "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
           "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
           // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one literal on two lines
           "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked"
           "\r\n\r\nabc",
           "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
           "GET /ok HTTP/1.1\r\n\r\n",                              // no Host
           "GET /ok HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",        // two Hosts
           "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  // a TLS ClientHello
       }) {
    SCOPED_TRACE(bad);
    ExpectProblemAndClose(port(), bad, 400, problem::kMalformedRequest);
  }
  ExpectProblemAndClose(port(),
                        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nabc", 501,
                        problem::kNotImplemented);
  ExpectAlive(port());
}

// RFC 9112 §6: one spelling of chunked is accepted, on one field line;
// every other coding, list or spelling is 501 and the connection closes (its body's
// framing is unknown), Transfer-Encoding beside Content-Length is 400 whatever the
// order, and so is Transfer-Encoding in an HTTP/1.0 request.
TEST_F(HttpLimits, TransferCodingsOtherThanOneChunkedAre501AndClosed) {
  const std::string body = "\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  for (std::string_view coding :
       {"gzip", "gzip, chunked", "chunked, chunked", "identity", "Chunked", "CHUNKED", "chunked,",
        ", chunked", "chunked;q=1", "x-custom"}) {
    SCOPED_TRACE(coding);
    ExpectProblemAndClose(port(),
                          absl::StrCat("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ",
                                       std::string(coding), body),
                          501, problem::kNotImplemented);
  }
  // The same on several field lines, whichever comes first (Beast itself refuses a
  // field after one ending in chunked).
  for (std::string_view fields :
       {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip",
        "Transfer-Encoding: chunked\r\nX-Other: 1\r\nTransfer-Encoding: chunked"}) {
    SCOPED_TRACE(fields);
    ExpectProblemAndClose(
        port(), absl::StrCat("POST /echo HTTP/1.1\r\nHost: t\r\n", std::string(fields), body), 501,
        problem::kNotImplemented);
  }
  for (std::string_view bad : {
           "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\nContent-Length: 3"
           "\r\n\r\nabc",
           "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: gzip"
           "\r\n\r\nabc",
           "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3"
           "\r\n\r\nabc",
           "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
           "POST /echo HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n"
           "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
           "GET /ok HTTP/1.0\r\nTransfer-Encoding: gzip\r\n\r\n",
       }) {
    SCOPED_TRACE(bad);
    ExpectProblemAndClose(port(), bad, 400, problem::kMalformedRequest);
  }
  // The one accepted spelling, with optional whitespace around it.
  for (std::string_view coding : {"chunked", " chunked  "}) {
    auto r = testing::Exchange(port(),
                               absl::StrCat("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:",
                                            std::string(coding), body));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "abc");
  }
  ExpectAlive(port());
}

// A route's query is checked before its handler runs (router.h, CheckQuery).
TEST_F(HttpLimits, UndeclaredRepeatedOrEmptyQueryParametersAre400) {
  auto conn = RawConnection::Open(port());
  ASSERT_TRUE(conn);
  for (std::string_view target : {"/ok?x=1", "/ok?x", "/tile/0/000?n=1&n=2", "/ok?%20=1"}) {
    SCOPED_TRACE(target);
    ASSERT_TRUE(
        conn->Send(absl::StrCat("GET ", std::string(target), " HTTP/1.1\r\nHost: t\r\n\r\n")));
    auto r = conn->Read();
    ExpectProblem(r, 400, problem::kInvalidArgument);
    if (r.ok()) {
      EXPECT_FALSE(r->headers.Has("Connection"));  // kept: nothing was left unread
    }
  }
  ExpectProblemAndClose(port(),
                        "POST /echo?x=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc", 400,
                        problem::kInvalidArgument);
  ExpectAlive(port());
}

TEST_F(HttpLimits, BadTargetsAre400AndKeepTheConnection) {
  auto conn = RawConnection::Open(port());
  for (std::string_view target :
       {"/tile/%zz", "/tile/%00", "/tile/../../etc/passwd", "/tile/%2e%2e/x", "/tile/a%2Fb",
        "/ok?x=%FF", "/ok?x=%", "*", "/tile/\xC3\xA9"}) {
    SCOPED_TRACE(target);
    ASSERT_TRUE(
        conn->Send(absl::StrCat("GET ", std::string(target), " HTTP/1.1\r\nHost: t\r\n\r\n")));
    auto r = conn->Read();
    ExpectProblem(r, 400, problem::kBadTarget);
    if (r.ok()) {
      EXPECT_FALSE(r->headers.Has("Connection"));
    }
  }
  // With a body left unread, the connection closes instead.
  ExpectProblemAndClose(port(), "POST /%zz HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc",
                        400, problem::kBadTarget);
  ExpectProblemAndClose(port(), "POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc",
                        404, problem::kNotFound);
}

TEST_F(HttpLimits, RandomBytesNeverCrashTheServer) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 50; ++i) {
    std::string junk(1 + rng() % 3000, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (i % 2 == 0) junk.insert(0, "GET /ok HTTP/1.1\r\n");
    junk += "\r\n\r\n";
    auto conn = RawConnection::Open(port());
    ASSERT_TRUE(conn);
    conn->Send(junk);
    auto r = conn->Read(absl::Seconds(10));
    if (r.ok()) {
      EXPECT_GE(r->status, 400) << r->body;
    }
    conn->WaitClosed(absl::Seconds(10));
  }
  ExpectAlive(port());
}

TEST(HttpLimitsConnections, OverTheLimitGets503AndRecovers) {
  Registry metrics;
  ServerOptions options = TestLimits();
  options.max_connections = 2;
  options.idle_timeout = absl::Seconds(30);
  options.metrics = &metrics;
  auto server = StartServer(SmallRouter(), options);
  auto a = RawConnection::Open(server->port());
  auto b = RawConnection::Open(server->port());
  ASSERT_TRUE(WaitFor([&] { return server->open_connections() == 2; }));
  auto c = RawConnection::Open(server->port());
  ASSERT_TRUE(c);
  auto r = c->Read();
  ExpectProblem(r, 503, problem::kOverloaded);
  if (r.ok()) {
    EXPECT_EQ(r->headers.Get("Retry-After"), "1");
  }
  EXPECT_TRUE(c->WaitClosed());
  EXPECT_NE(metrics.Render().find("accord_http_connections_rejected_total 1\n"), std::string::npos);
  a.reset();
  ASSERT_TRUE(WaitFor([&] { return server->open_connections() == 1; }));
  ExpectAlive(server->port());
}

}  // namespace
}  // namespace accord::http
