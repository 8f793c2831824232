// The server over real sockets on 127.0.0.1: routing, keep-alive, pipelining, async
// handlers, metrics, access logs and graceful stop. Limits are in limits_test.cc.
#include "src/http/server.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "src/http/testing.h"

namespace accord::http {
namespace {

using testing::RawConnection;
using testing::StartServer;
using testing::WaitFor;

nlohmann::json Echo(const Request& r) {
  nlohmann::json q = nlohmann::json::array();
  for (const auto& [k, v] : r.query.params()) q.push_back({k, v});
  return {{"method", r.method},   {"path", r.path},
          {"target", r.target},   {"query", q},
          {"params", r.params},   {"body", r.body},
          {"route", r.route},     {"remote", r.remote_address},
          {"version", r.version}, {"agent", std::string(r.headers.Get("user-agent").value_or(""))}};
}

// Keeps async requests' Responders until the test answers them.
class Held {
 public:
  AsyncHandler Handler() {
    return [this](const Request& r, Responder responder) {
      absl::MutexLock lock(&mu_);
      held_.emplace_back(std::string(r.PathParam("id")), std::move(responder));
    };
  }
  bool WaitForCount(size_t n, absl::Duration timeout = absl::Seconds(30)) {
    absl::MutexLock lock(&mu_);
    const auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return held_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  std::vector<std::pair<std::string, Responder>> Take() {
    absl::MutexLock lock(&mu_);
    return std::exchange(held_, {});
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<std::string, Responder>> held_ ABSL_GUARDED_BY(mu_);
};

std::string Get(std::string_view target, std::string_view extra = "") {
  return absl::StrCat("GET ", std::string(target), " HTTP/1.1\r\nHost: t\r\n", std::string(extra),
                      "\r\n");
}

Router EchoRouter() {
  Router r;
  r.Handle("GET", "/v1/statements/{index}",
           [](const Request& q) { return Response::Json(200, Echo(q)); }, {.query = {"kind", "q"}});
  r.Handle("POST", "/v1/statements", [](const Request& q) { return Response::Json(201, Echo(q)); });
  r.Handle("GET", "/tile/*", [](const Request& q) { return Response::Json(200, Echo(q)); });
  r.Handle("GET", "/text", [](const Request&) { return Response::Text(200, "hello"); });
  return r;
}

TEST(HttpServer, ReportsBoundPortAndRoutes) {
  auto server = StartServer(EchoRouter());
  EXPECT_NE(server->port(), 0);
  EXPECT_EQ(server->address(), absl::StrCat("127.0.0.1:", server->port()));
  EXPECT_EQ(server->Routes(), EchoRouter().Routes());
  EXPECT_EQ(server->Routes().size(), 4u);
}

TEST(HttpServer, RoutesWithParamsQueryAndBody) {
  auto server = StartServer(EchoRouter());
  auto r = testing::Exchange(server->port(), Get("/v1/statements/17?kind=claim&q=x%20y+z"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/json");
  EXPECT_TRUE(r->headers.Has("Date"));
  EXPECT_FALSE(r->headers.Has("Server"));
  auto doc = nlohmann::json::parse(r->body);
  EXPECT_EQ(doc["path"], "/v1/statements/17");
  EXPECT_EQ(doc["params"]["index"], "17");
  EXPECT_EQ(doc["route"], "/v1/statements/{index}");
  EXPECT_EQ(doc["query"], nlohmann::json::parse(R"([["kind","claim"],["q","x y z"]])"));
  EXPECT_TRUE(doc["remote"].get<std::string>().starts_with("127.0.0.1:"));

  r = testing::Exchange(
      server->port(), "POST /v1/statements HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(nlohmann::json::parse(r->body)["body"], "abcde");

  r = testing::Exchange(server->port(), Get("/tile/entries/x001/234.p/5"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(nlohmann::json::parse(r->body)["params"]["*"], "entries/x001/234.p/5");
}

TEST(HttpServer, NotFoundAndMethodNotAllowedAreProblems) {
  auto server = StartServer(EchoRouter());
  auto conn = RawConnection::Open(server->port());
  ASSERT_TRUE(conn && conn->Send(Get("/nowhere")));
  auto r = conn->Read();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/problem+json");
  auto doc = nlohmann::json::parse(r->body);
  EXPECT_EQ(doc["type"], "urn:accord:problem:not-found");
  EXPECT_EQ(doc["status"], 404);
  EXPECT_EQ(doc["title"], "Not Found");

  // The connection survives: no body was left unread.
  ASSERT_TRUE(conn->Send("DELETE /v1/statements HTTP/1.1\r\nHost: t\r\n\r\n"));
  r = conn->Read();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers.Get("Allow"), "POST");
  EXPECT_EQ(nlohmann::json::parse(r->body)["type"], "urn:accord:problem:method-not-allowed");
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = StartServer(EchoRouter());
  auto conn = RawConnection::Open(server->port());
  ASSERT_TRUE(conn);
  std::string remote;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(conn->Send(Get(absl::StrCat("/v1/statements/", i))));
    auto r = conn->Read();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->headers.Has("Connection"));
    auto doc = nlohmann::json::parse(r->body);
    EXPECT_EQ(doc["params"]["index"], std::to_string(i));
    if (i == 0) remote = doc["remote"];
    EXPECT_EQ(doc["remote"], remote);  // same client port: same connection
  }
  EXPECT_EQ(server->open_connections(), 1u);
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  auto server = StartServer(EchoRouter());
  auto conn = RawConnection::Open(server->port());
  std::string batch;
  for (int i = 0; i < 10; ++i) batch += Get(absl::StrCat("/v1/statements/", i));
  batch += "POST /v1/statements HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz";
  batch += Get("/text", "Connection: close\r\n");
  ASSERT_TRUE(conn && conn->Send(batch));
  for (int i = 0; i < 10; ++i) {
    auto r = conn->Read();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(nlohmann::json::parse(r->body)["params"]["index"], std::to_string(i));
  }
  auto post = conn->Read();
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(nlohmann::json::parse(post->body)["body"], "xyz");
  auto last = conn->Read();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->body, "hello");
  EXPECT_EQ(last->headers.Get("Connection"), "close");
  EXPECT_TRUE(conn->WaitClosed());
}

TEST(HttpServer, Http10ClosesUnlessKeepAliveIsAsked) {
  auto server = StartServer(EchoRouter());
  auto conn = RawConnection::Open(server->port());
  ASSERT_TRUE(conn && conn->Send("GET /text HTTP/1.0\r\n\r\n"));
  auto r = conn->Read();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_TRUE(r->status_line.starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(conn->WaitClosed());

  auto ka = RawConnection::Open(server->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(ka->Send("GET /v1/statements/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto k = ka->Read();
    ASSERT_TRUE(k.ok()) << k.status();
    EXPECT_EQ(k->headers.Get("Connection"), "keep-alive");
    EXPECT_EQ(nlohmann::json::parse(k->body)["version"], 10);
  }
}

TEST(HttpServer, HeadAnswersWithGetHeadersAndNoBody) {
  auto server = StartServer(EchoRouter());
  auto conn = RawConnection::Open(server->port());
  ASSERT_TRUE(conn && conn->Send("HEAD /text HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = conn->Read(absl::Seconds(10), /*no_body=*/true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.Get("Content-Length"), "5");
  // The next response starts right away: no body bytes came between.
  ASSERT_TRUE(conn->Send(Get("/text")));
  auto next = conn->Read();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->body, "hello");
}

TEST(HttpServer, ChunkedAndExpectContinueBodies) {
  auto server = StartServer(EchoRouter());
  auto r = testing::Exchange(server->port(),
                             "POST /v1/statements HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked"
                             "\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(nlohmann::json::parse(r->body)["body"], "abcde");

  auto conn = RawConnection::Open(server->port());
  ASSERT_TRUE(
      conn->Send("POST /v1/statements HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                 "Expect: 100-continue\r\n\r\n"));
  auto interim = conn->Read(absl::Seconds(10), /*no_body=*/true);
  ASSERT_TRUE(interim.ok()) << interim.status();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(conn->Send("wxyz"));
  auto final_response = conn->Read();
  ASSERT_TRUE(final_response.ok()) << final_response.status();
  EXPECT_EQ(final_response->status, 201);
  EXPECT_EQ(nlohmann::json::parse(final_response->body)["body"], "wxyz");
}

TEST(HttpServer, AsyncHandlerAnswersFromAnotherThreadWithoutBlockingIo) {
  Held held;
  Router router = EchoRouter();
  router.HandleAsync("POST", "/slow/{id}", held.Handler());
  auto server = StartServer(std::move(router), {.io_threads = 1});

  auto slow = RawConnection::Open(server->port());
  ASSERT_TRUE(slow->Send("POST /slow/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(held.WaitForCount(1));
  // The only I/O thread is free while the async request waits.
  auto fast = testing::Exchange(server->port(), Get("/text"));
  ASSERT_TRUE(fast.ok()) << fast.status();
  EXPECT_EQ(fast->body, "hello");

  std::promise<bool> delivered;
  std::thread answerer([&] {
    auto items = held.Take();
    delivered.set_value(items[0].second(Response::Text(202, "done " + items[0].first)));
  });
  auto r = slow->Read();
  answerer.join();
  EXPECT_TRUE(delivered.get_future().get());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "done 7");
}

TEST(HttpServer, ThousandConcurrentAsyncRequests) {
  constexpr int kRequests = 1000;
  Held held;
  Registry metrics;
  Router router;
  router.HandleAsync("GET", "/wait/{id}", held.Handler());
  auto server = StartServer(std::move(router), {.metrics = &metrics});
  std::vector<RawConnection> conns;
  conns.reserve(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    auto c = RawConnection::Open(server->port());
    ASSERT_TRUE(c) << i;
    ASSERT_TRUE(c->Send(Get(absl::StrCat("/wait/", i))));
    conns.push_back(std::move(*c));
  }
  ASSERT_TRUE(held.WaitForCount(kRequests));
  EXPECT_NE(metrics.Render().find("accord_http_requests_in_flight 1000\n"), std::string::npos);
  std::thread answerer([&] {
    for (auto& [id, responder] : held.Take()) responder(Response::Text(200, id));
  });
  for (int i = 0; i < kRequests; ++i) {
    auto r = conns[i].Read(absl::Seconds(60));
    ASSERT_TRUE(r.ok()) << i << ": " << r.status();
    EXPECT_EQ(r->body, std::to_string(i));
  }
  answerer.join();
  EXPECT_TRUE(WaitFor([&] {
    return metrics.Render().find("accord_http_requests_in_flight 0\n") != std::string::npos;
  }));
}

TEST(HttpServer, DroppedResponderAndThrowingHandlersGive500WithoutLeaks) {
  absl::Mutex mu;
  std::vector<std::string> errors;
  Router router;
  router.HandleAsync("GET", "/drop", [](const Request&, const Responder&) {});
  router.Handle("GET", "/throw",
                [](const Request&) -> Response { throw std::runtime_error("secret /srv/path"); });
  router.HandleAsync("GET", "/athrow", [](const Request&, const Responder&) {
    throw std::runtime_error("async secret");
  });
  router.Handle("GET", "/badstatus", [](const Request&) { return Response::Text(42, "x"); });
  auto server = StartServer(std::move(router), {.error_log = [&](std::string_view m) {
                              absl::MutexLock lock(&mu);
                              errors.emplace_back(m);
                            }});
  auto conn = RawConnection::Open(server->port());
  for (std::string_view path : {"/drop", "/throw", "/athrow", "/badstatus"}) {
    ASSERT_TRUE(conn->Send(Get(path)));
    auto r = conn->Read();
    ASSERT_TRUE(r.ok()) << path << ": " << r.status();
    EXPECT_EQ(r->status, 500) << path;
    EXPECT_EQ(nlohmann::json::parse(r->body)["detail"], "internal error");
    EXPECT_EQ(r->body.find("secret"), std::string::npos);
  }
  absl::MutexLock lock(&mu);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_NE(errors[0].find("dropped its Responder"), std::string::npos);
  EXPECT_NE(errors[1].find("secret /srv/path"), std::string::npos);
}

TEST(HttpServer, SilentAsyncHandlerTimesOutWith504AndLateAnswerIsDropped) {
  Held held;
  Router router = EchoRouter();
  router.HandleAsync("GET", "/slow/{id}", held.Handler());
  auto server = StartServer(std::move(router), {.handler_timeout = absl::Milliseconds(100)});
  auto conn = RawConnection::Open(server->port());
  ASSERT_TRUE(conn->Send(Get("/slow/1")));
  auto r = conn->Read();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 504);
  EXPECT_EQ(nlohmann::json::parse(r->body)["type"], "urn:accord:problem:timeout");
  // A late answer goes nowhere; the connection serves the next request.
  auto late = held.Take();
  ASSERT_EQ(late.size(), 1u);
  EXPECT_TRUE(late[0].second(Response::Text(200, "late")));
  ASSERT_TRUE(conn->Send(Get("/text")));
  auto next = conn->Read();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->body, "hello");
}

TEST(HttpServer, CountsRequestsInMetricsAndAccessLog) {
  Registry metrics;
  absl::Mutex mu;
  std::vector<AccessRecord> records;
  auto server =
      StartServer(EchoRouter(), {.metrics = &metrics, .access_log = [&](const AccessRecord& a) {
                                   absl::MutexLock lock(&mu);
                                   records.push_back(a);
                                 }});
  auto conn = RawConnection::Open(server->port());
  for (std::string_view path : {"/v1/statements/1", "/v1/statements/2", "/nowhere/secret"}) {
    ASSERT_TRUE(conn->Send(Get(path)));
    ASSERT_TRUE(conn->Read().ok());
  }
  ASSERT_TRUE(WaitFor([&] {
    absl::MutexLock lock(&mu);
    return records.size() == 3;
  }));
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("accord_http_requests_total{method=\"GET\",route=\"/v1/statements/{index}\","
                      "status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("accord_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"),
      std::string::npos);
  EXPECT_EQ(text.find("secret"), std::string::npos);  // no client-chosen label values
  EXPECT_NE(text.find("accord_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/"
                      "statements/{index}\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("accord_http_connections_open 1\n"), std::string::npos);
  absl::MutexLock lock(&mu);
  EXPECT_EQ(records[0].route, "/v1/statements/{index}");
  EXPECT_EQ(records[0].status, 200);
  EXPECT_EQ(records[0].target, "/v1/statements/1");
  EXPECT_GT(records[0].response_body_bytes, 0u);
  EXPECT_EQ(records[2].route, "");
  EXPECT_EQ(records[2].status, 404);
}

TEST(HttpServer, GracefulStopFinishesInFlightRequests) {
  Held held;
  Router router = EchoRouter();
  router.HandleAsync("GET", "/slow/{id}", held.Handler());
  auto server = StartServer(std::move(router));
  const uint16_t port = server->port();
  auto busy = RawConnection::Open(port);
  auto idle = RawConnection::Open(port);
  ASSERT_TRUE(busy->Send(Get("/slow/1")));
  ASSERT_TRUE(held.WaitForCount(1));
  ASSERT_TRUE(WaitFor([&] { return server->open_connections() == 2; }));

  std::thread stopper([&] { server->Stop(absl::Seconds(30)); });
  EXPECT_TRUE(idle->WaitClosed());  // idle connections close at once
  ASSERT_TRUE(WaitFor([&] { return !RawConnection::Open(port).has_value(); }));  // no listener
  held.Take()[0].second(Response::Text(200, "finished"));
  auto r = busy->Read();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "finished");
  EXPECT_EQ(r->headers.Get("Connection"), "close");
  EXPECT_TRUE(busy->WaitClosed());
  stopper.join();
  EXPECT_EQ(server->open_connections(), 0u);
}

TEST(HttpServer, StopDeadlineClosesStuckRequestsAndLateRespondersAreHarmless) {
  Held held;
  Router router;
  router.HandleAsync("GET", "/slow/{id}", held.Handler());
  auto server = StartServer(std::move(router));
  auto busy = RawConnection::Open(server->port());
  ASSERT_TRUE(busy->Send(Get("/slow/1")));
  ASSERT_TRUE(held.WaitForCount(1));
  const absl::Time start = absl::Now();
  server->Stop(absl::Milliseconds(100));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(busy->WaitClosed());
  auto late = held.Take();
  server.reset();  // the Responder outlives the server
  EXPECT_FALSE(late.empty());
  late[0].second(Response::Text(200, "too late"));
  late.clear();  // and is destroyed afterwards
}

TEST(HttpServer, CreateRejectsBadListenAddresses) {
  for (std::string_view bad :
       {"nohost", "127.0.0.1", "127.0.0.1:99999", "::1:80", "[::1", ":80", "127.0.0.1:x"}) {
    auto s = Server::Create(Router(), {.listen = std::string(bad)});
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  auto first = StartServer(Router());
  auto taken = Server::Create(Router(), {.listen = first->address()});
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kUnavailable) << taken.status();
  auto v6 = Server::Create(Router(), {.listen = "[::1]:0"});
  if (v6.ok()) {
    EXPECT_TRUE((*v6)->address().starts_with("[::1]:"));
  }
}

TEST(HttpServer, SplitHostPort) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:8080", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(SplitHostPort("[::1]:0", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
}

}  // namespace
}  // namespace accord::http
