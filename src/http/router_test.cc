#include "src/http/router.h"

#include <gtest/gtest.h>

#include <thread>

namespace accord::http {
namespace {

Handler Named(const std::string& name) {
  return [name](const Request&) { return Response::Text(200, name); };
}

std::string Call(const Router::Match& m) {
  if (m.route == nullptr || !m.route->handler) return "";
  return m.route->handler(Request{}).body;
}

Router Sample() {
  Router r;
  r.Handle("GET", "/checkpoint", Named("checkpoint"));
  r.Handle("GET", "/v1/statements", Named("list"));
  r.Handle("POST", "/v1/statements", Named("submit"));
  r.Handle("GET", "/v1/statements/{index}", Named("get"));
  r.Handle("GET", "/v1/statements/latest", Named("latest"));
  r.Handle("GET", "/tile/*", Named("tile"));
  r.Handle("GET", "/tile/entries/*", Named("entries"));
  r.Handle("PUT", "/v1/blobs/{hash}/{part}", Named("blob"));
  r.Handle("GET", "/", Named("root"));
  return r;
}

TEST(HttpRouter, MatchesLiteralsParamsAndRest) {
  const Router r = Sample();
  EXPECT_EQ(Call(r.Find("GET", "/checkpoint")), "checkpoint");
  EXPECT_EQ(Call(r.Find("GET", "/")), "root");
  EXPECT_EQ(Call(r.Find("POST", "/v1/statements")), "submit");

  auto m = r.Find("GET", "/v1/statements/17");
  EXPECT_EQ(Call(m), "get");
  EXPECT_EQ(m.params, (PathParams{{"index", "17"}}));

  m = r.Find("PUT", "/v1/blobs/ab/cd");
  EXPECT_EQ(m.params, (PathParams{{"hash", "ab"}, {"part", "cd"}}));

  m = r.Find("GET", "/tile/0/x001/234.p/5");
  EXPECT_EQ(Call(m), "tile");
  EXPECT_EQ(m.params, (PathParams{{"*", "0/x001/234.p/5"}}));
}

TEST(HttpRouter, MostSpecificPatternWins) {
  const Router r = Sample();
  EXPECT_EQ(Call(r.Find("GET", "/v1/statements/latest")), "latest");
  auto m = r.Find("GET", "/tile/entries/000");
  EXPECT_EQ(Call(m), "entries");
  EXPECT_EQ(m.params.at("*"), "000");
  // "entries" alone is not matched by "/tile/entries/*" (rest must be non-empty).
  EXPECT_EQ(Call(r.Find("GET", "/tile/entries")), "tile");
}

TEST(HttpRouter, NotFoundAndMethodNotAllowed) {
  const Router r = Sample();
  auto m = r.Find("GET", "/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
  for (std::string_view p : {"/v1/statements/", "/v1/statements/1/2", "/tile", "/tile/",
                             "/checkpoint/", "/v1/blobs/ab", "/v1//statements"}) {
    EXPECT_EQ(r.Find("PUT", p).route, nullptr) << p;
    EXPECT_TRUE(r.Find("PUT", p).allowed.empty()) << p;
  }
  m = r.Find("DELETE", "/v1/statements");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "HEAD", "POST"}));
  m = r.Find("GET", "/v1/blobs/a/b");
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"PUT"}));
  // Method names are case-sensitive (RFC 9110 §9.1).
  EXPECT_EQ(r.Find("get", "/checkpoint").route, nullptr);
}

TEST(HttpRouter, HeadFallsBackToGet) {
  Router r = Sample();
  EXPECT_EQ(Call(r.Find("HEAD", "/checkpoint")), "checkpoint");
  r.Handle("HEAD", "/checkpoint", Named("head"));
  EXPECT_EQ(Call(r.Find("HEAD", "/checkpoint")), "head");
  EXPECT_EQ(r.Find("HEAD", "/v1/blobs/a/b").allowed, (std::vector<std::string>{"PUT"}));
}

TEST(HttpRouter, ListsRoutesInRegistrationOrder) {
  Router r;
  r.Handle("GET", "/a", Named("a"));
  r.HandleAsync("POST", "/b/{x}", [](const Request&, const Responder&) {});
  EXPECT_EQ(r.Routes(), (std::vector<RouteInfo>{{"GET", "/a"}, {"POST", "/b/{x}"}}));
  EXPECT_TRUE(r.Find("POST", "/b/1").route->async_handler != nullptr);
}

TEST(HttpRouter, RouteOptionsCarryBodyLimit) {
  Router r;
  r.Handle("POST", "/big", Named("big"), {.max_body_bytes = 123});
  EXPECT_EQ(r.Find("POST", "/big").route->options.max_body_bytes, 123u);
}

TEST(HttpRouter, CheckQueryRefusesUnknownRepeatedAndEmptyParameters) {
  const RouteOptions list{.query = {"kind", "after", "limit"}};
  const auto check = [](const RouteOptions& o, std::string_view target) {
    auto t = ParseTarget(target);
    EXPECT_TRUE(t.ok()) << t.status();
    return CheckQuery(o, t->query);
  };
  EXPECT_TRUE(check(list, "/s").ok());
  EXPECT_TRUE(check(list, "/s?kind=claim&after=3&limit=5").ok());
  EXPECT_TRUE(check(list, "/s?limit=5&&kind=a+b").ok());  // an empty pair is no parameter
  EXPECT_TRUE(check({}, "/checkpoint").ok());
  const std::pair<std::string_view, std::string_view> refused[] = {
      {"/s?limt=5", "unknown query parameter \"limt\"; this resource takes kind, after, limit"},
      {"/s?kind=a&Kind=b",
       "unknown query parameter \"Kind\"; this resource takes kind, after, limit"},
      {"/s?limit=1&limit=2", "query parameter \"limit\" given 2 times"},
      {"/s?kind=a&after=1&kind=a&kind=b", "query parameter \"kind\" given 3 times"},
      {"/s?after=", "query parameter \"after\" is empty"},
      {"/s?after", "query parameter \"after\" is empty"},
      {"/s?=1", "unknown query parameter \"\"; this resource takes kind, after, limit"},
  };
  for (const auto& [target, message] : refused) {
    SCOPED_TRACE(target);
    const absl::Status s = check(list, target);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(s.message()), message);
  }
  const absl::Status none = check({}, "/checkpoint?cache=1");
  EXPECT_EQ(none.message(), "unknown query parameter \"cache\"; this resource takes none");
  // A long name is quoted in part.
  const absl::Status long_name = check({}, "/c?" + std::string(300, 'n') + "=1");
  EXPECT_EQ(long_name.message(),
            "unknown query parameter \"" + std::string(64, 'n') + "…\"; this resource takes none");
}

TEST(HttpRouterDeathTest, RejectsBadPatternsAndDuplicates) {
  EXPECT_DEATH(Router().Handle("GET", "nope", Named("x")), "must start with");
  EXPECT_DEATH(Router().Handle("GET", "/a/*/b", Named("x")), "not last");
  EXPECT_DEATH(Router().Handle("GET", "/a/{}", Named("x")), "unnamed");
  EXPECT_DEATH(Router().Handle("GET", "/a/{x", Named("x")), "literal");
  EXPECT_DEATH(Router().Handle("GET", "/a//b", Named("x")), "empty segment");
  EXPECT_DEATH(
      {
        Router r;
        r.Handle("GET", "/a/{x}", Named("x"));
        r.Handle("GET", "/a/{y}", Named("y"));
      },
      "registered twice");
}

TEST(HttpRouter, FindIsThreadSafe) {
  const Router r = Sample();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (r.Find("GET", "/v1/statements/" + std::to_string(i)).params.at("index") ==
            std::to_string(i)) {
          ++ok;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4000);
}

// A Responder delivers once; dropping every copy unanswered delivers nullopt.
class RecordingSink : public Responder::Sink {
 public:
  void Deliver(std::optional<Response> r) override {
    ++calls;
    last = std::move(r);
  }
  int calls = 0;
  std::optional<Response> last;
};

TEST(HttpResponder, DeliversOnceAndReportsDrops) {
  auto sink = std::make_shared<RecordingSink>();
  {
    Responder a(sink);
    Responder b = a;  // NOLINT(performance-unnecessary-copy-initialization): a copy, on purpose
    EXPECT_TRUE(b(Response::Text(200, "first")));
    EXPECT_FALSE(a(Response::Text(200, "second")));
  }
  EXPECT_EQ(sink->calls, 1);
  EXPECT_EQ(sink->last->body, "first");

  auto dropped = std::make_shared<RecordingSink>();
  { Responder a(dropped); }
  EXPECT_EQ(dropped->calls, 1);
  EXPECT_FALSE(dropped->last.has_value());
}

}  // namespace
}  // namespace accord::http
