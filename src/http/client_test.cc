#include "src/http/client.h"

#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "src/http/server.h"
#include "src/http/testing.h"

namespace accord::http {
namespace {

using testing::StartServer;
using testing::WaitFor;

TEST(HttpUrl, ParsesAndValidates) {
  auto u = ParseUrl("http://127.0.0.1:8080");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->prefix, "");
  EXPECT_EQ(u->ToString(), "http://127.0.0.1:8080");

  u = ParseUrl("HTTP://node.example.ee/api/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "node.example.ee");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->prefix, "/api");
  EXPECT_EQ(u->HostPort(), "node.example.ee:80");

  u = ParseUrl("http://[::1]:9000/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->HostPort(), "[::1]:9000");

  for (std::string_view bad :
       {"", "127.0.0.1:80", "ftp://h", "http://", "http://:80", "http://h:", "http://h:0",
        "http://h:65536", "http://h:8x", "http://user@h", "http://h/?q", "http://h/#f",
        "http://h_h", "http://[::1", "http://[zz]:1", "http://h/a b"}) {
    EXPECT_EQ(ParseUrl(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseUrl("https://h").status().code(), absl::StatusCode::kUnimplemented);
}

Router ClientRouter() {
  Router r;
  r.Handle("GET", "/hello", [](const Request& q) {
    return Response::Text(200, absl::StrCat("hello ", q.remote_address));
  });
  r.Handle("POST", "/echo", [](const Request& q) {
    Response res = Response::Text(200, q.body, q.headers.Get("Content-Type").value_or("?"));
    res.headers.Set("X-Method", q.method);
    return res;
  });
  r.Handle("GET", "/api/prefixed", [](const Request&) { return Response::Text(200, "prefixed"); });
  r.Handle("GET", "/big",
           [](const Request&) { return Response::Text(200, std::string(10000, 'b')); });
  r.Handle("GET", "/missing", [](const Request&) {
    return Response::FromStatus(absl::NotFoundError("no statement 99"));
  });
  return r;
}

std::string Base(const Server& s) { return absl::StrCat("http://127.0.0.1:", s.port()); }

TEST(HttpClient, GetPostAndHeaders) {
  auto server = StartServer(ClientRouter());
  auto client = Client::Create(Base(*server));
  ASSERT_TRUE(client.ok()) << client.status();
  auto r = (*client)->Get("/hello");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.starts_with("hello 127.0.0.1:"));
  EXPECT_EQ(r->headers.Get("content-type"), "text/plain; charset=utf-8");

  r = (*client)->Post("/echo", R"({"a":1})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, R"({"a":1})");
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(r->headers.Get("X-Method"), "POST");

  ClientRequest head;
  head.method = "HEAD";
  head.target = "/big";
  r = (*client)->Do(head);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->headers.Get("Content-Length"), "10000");
  EXPECT_EQ(r->body, "");
  // Still in step after HEAD.
  r = (*client)->Get("/big");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.size(), 10000u);
}

TEST(HttpClient, BaseUrlPrefixIsPrepended) {
  auto server = StartServer(ClientRouter());
  auto client = Client::Create(Base(*server) + "/api/");
  auto r = (*client)->Get("/prefixed");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "prefixed");
}

TEST(HttpClient, ReusesKeepAliveConnections) {
  auto server = StartServer(ClientRouter());
  auto client = *Client::Create(Base(*server));
  std::string first;
  for (int i = 0; i < 20; ++i) {
    auto r = client->Get("/hello");
    ASSERT_TRUE(r.ok()) << r.status();
    if (i == 0) first = r->body;
    EXPECT_EQ(r->body, first);  // the same client port every time
  }
  EXPECT_EQ(client->connections_opened(), 1u);
  EXPECT_EQ(client->idle_connections(), 1u);
}

TEST(HttpClient, SeveralThreadsShareAPool) {
  auto server = StartServer(ClientRouter());
  auto client = *Client::Create(Base(*server));
  constexpr int kThreads = 6, kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequests; ++i) {
        auto r = client->Post("/echo", std::to_string(i));
        if (r.ok() && r->body == std::to_string(i)) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
  EXPECT_LE(client->connections_opened(), uint64_t{kThreads});
}

TEST(HttpClient, RecoversWhenTheServerClosedAnIdleConnection) {
  auto server = StartServer(ClientRouter(), {.idle_timeout = absl::Milliseconds(50)});
  auto client = *Client::Create(Base(*server));
  ASSERT_TRUE(client->Get("/hello").ok());
  ASSERT_TRUE(WaitFor([&] { return server->open_connections() == 0; }));
  auto r = client->Post("/echo", "after");  // POST: not retried, so the stale check must work
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "after");
  EXPECT_EQ(client->connections_opened(), 2u);
}

TEST(HttpClient, ConnectionRefusedIsUnavailable) {
  uint16_t port;
  {
    auto server = StartServer(Router());
    port = server->port();
  }  // nobody listens there now
  auto client = *Client::Create(absl::StrCat("http://127.0.0.1:", port));
  auto r = client->Get("/hello");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_NE(r.status().message().find(absl::StrCat("127.0.0.1:", port)), std::string::npos);
}

TEST(HttpClient, UnresolvableHostIsUnavailable) {
  auto client = *Client::Create("http://does-not-exist.invalid:80");
  auto r = client->Get("/");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
}

TEST(HttpClient, RequestTimeoutIsDeadlineExceeded) {
  absl::Mutex mu;
  std::vector<Responder> held;
  Router router;
  router.HandleAsync("GET", "/never", [&](const Request&, Responder r) {
    absl::MutexLock lock(&mu);
    held.push_back(std::move(r));
  });
  auto server = StartServer(std::move(router));
  auto client = *Client::Create(Base(*server), {.request_timeout = absl::Milliseconds(200)});
  const absl::Time start = absl::Now();
  auto r = client->Get("/never");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(client->idle_connections(), 0u);  // a timed-out connection is not reused
  server->Stop(absl::ZeroDuration());
}

TEST(HttpClient, OversizedResponseIsResourceExhausted) {
  auto server = StartServer(ClientRouter());
  auto client = *Client::Create(Base(*server), {.max_response_bytes = 1000});
  auto r = client->Get("/big");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
  auto small = client->Get("/hello");
  EXPECT_TRUE(small.ok()) << small.status();
}

TEST(HttpClient, GarbageOrMissingResponseIsUnavailable) {
  for (std::string_view reply :
       {"NOT HTTP AT ALL\r\n\r\n", "", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"}) {
    testing::CannedServer canned{std::string(reply)};
    auto client = *Client::Create(absl::StrCat("http://127.0.0.1:", canned.port()));
    auto r = client->Get("/x");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << reply << ": " << r.status();
  }
}

TEST(HttpClient, OverloadedServerIs503Response) {
  auto server = StartServer(Router(), {.max_connections = 0});  // answers 503 and closes
  auto client = *Client::Create(Base(*server));
  auto r = client->Get("/x");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(StatusFromResponse(*r).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(client->idle_connections(), 0u);  // "Connection: close" is honoured
}

TEST(HttpClient, RejectsBadRequestsBeforeSending) {
  auto client = *Client::Create("http://127.0.0.1:1");
  ClientRequest r;
  r.target = "no-slash";
  EXPECT_EQ(client->Do(r).status().code(), absl::StatusCode::kInvalidArgument);
  r.target = "/a\r\nX: y";
  EXPECT_EQ(client->Do(r).status().code(), absl::StatusCode::kInvalidArgument);
  r.target = "/";
  r.headers.Add("X-Bad", "v\r\nInjected: 1");
  EXPECT_EQ(client->Do(r).status().code(), absl::StatusCode::kInvalidArgument);
  r.headers = {};
  r.method = "GE T";
  EXPECT_EQ(client->Do(r).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpClient, StatusFromResponseInvertsTheMapping) {
  auto server = StartServer(ClientRouter());
  auto client = *Client::Create(Base(*server));
  auto r = client->Get("/missing");
  ASSERT_TRUE(r.ok());
  const absl::Status s = StatusFromResponse(*r);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("no statement 99"), std::string::npos) << s;
  EXPECT_TRUE(StatusFromResponse({.status = 200}).ok());
  EXPECT_TRUE(StatusFromResponse({.status = 304}).ok());
  const struct {
    int http;
    absl::StatusCode code;
  } cases[] = {
      {400, absl::StatusCode::kInvalidArgument},  {401, absl::StatusCode::kUnauthenticated},
      {403, absl::StatusCode::kPermissionDenied}, {404, absl::StatusCode::kNotFound},
      {408, absl::StatusCode::kDeadlineExceeded}, {409, absl::StatusCode::kFailedPrecondition},
      {413, absl::StatusCode::kInvalidArgument},  {429, absl::StatusCode::kUnavailable},
      {500, absl::StatusCode::kInternal},         {501, absl::StatusCode::kUnimplemented},
      {503, absl::StatusCode::kUnavailable},      {504, absl::StatusCode::kDeadlineExceeded}};
  for (const auto& c : cases) {
    EXPECT_EQ(StatusFromResponse({.status = c.http, .body = "not json"}).code(), c.code) << c.http;
  }
}

}  // namespace
}  // namespace accord::http
