#include "src/http/message.h"

#include <gtest/gtest.h>

namespace accord::http {
namespace {

TEST(HttpHeaders, LookupIsCaseInsensitiveAndKeepsDuplicates) {
  Headers h;
  h.Add("Content-Type", "application/json");
  h.Add("X-Thing", "1");
  h.Add("x-thing", "2");
  EXPECT_EQ(h.Get("content-type"), "application/json");
  EXPECT_EQ(h.Get("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(h.GetAll("X-THING"), (std::vector<std::string_view>{"1", "2"}));
  EXPECT_FALSE(h.Get("Missing").has_value());
  h.Set("X-Thing", "3");
  EXPECT_EQ(h.GetAll("x-thing"), (std::vector<std::string_view>{"3"}));
  h.Remove("X-THING");
  EXPECT_FALSE(h.Has("x-thing"));
  EXPECT_EQ(h.size(), 1u);
}

TEST(HttpPercentDecode, DecodesStrictly) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc%2fd"), "a b/c/d");
  EXPECT_EQ(*PercentDecode("a+b"), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", /*plus_is_space=*/true), "a b");
  EXPECT_EQ(*PercentDecode("%C3%A9"), "\xC3\xA9");
  for (std::string_view bad :
       {"%", "%2", "%zz", "a%g0", "%00", "%C3", "%FF", "%C0%AF", "%ED%A0%80"}) {
    EXPECT_EQ(PercentDecode(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(HttpPercentEncode, RoundTrips) {
  const std::string raw = "a b+c/d?e=f&g%h\xC3\xA9~._-";
  const std::string encoded = PercentEncode(raw);
  EXPECT_EQ(encoded, "a%20b%2Bc%2Fd%3Fe%3Df%26g%25h%C3%A9~._-");
  EXPECT_EQ(*PercentDecode(encoded, true), raw);
}

TEST(HttpUtf8, Validates) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xB0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
}

TEST(HttpTarget, SplitsPathAndQuery) {
  auto t = ParseTarget("/v1/statements?kind=claim&issuer=a.example%2Flog&kind=evidence&x&&y=");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->path, "/v1/statements");
  EXPECT_EQ(t->query.Get("kind"), "claim");
  EXPECT_EQ(t->query.GetAll("kind"), (std::vector<std::string_view>{"claim", "evidence"}));
  EXPECT_EQ(t->query.Get("issuer"), "a.example/log");
  EXPECT_EQ(t->query.Get("x"), "");
  EXPECT_EQ(t->query.Get("y"), "");
  EXPECT_EQ(t->query.params().size(), 5u);
  EXPECT_FALSE(t->query.Has("z"));
}

TEST(HttpTarget, DecodesPathSegments) {
  EXPECT_EQ(ParseTarget("/a%20b/c")->path, "/a b/c");
  EXPECT_EQ(ParseTarget("/")->path, "/");
  EXPECT_EQ(ParseTarget("/tile/0/x001/234.p/5")->path, "/tile/0/x001/234.p/5");
  EXPECT_EQ(ParseTarget("http://example.org/x?y=1")->path, "/x");
  EXPECT_EQ(ParseTarget("HTTP://example.org")->path, "/");
}

TEST(HttpTarget, RejectsAmbiguousOrMalformedTargets) {
  for (std::string_view bad :
       {"",      "*",         "example.org:80", "relative", "/a/../b",  "/a/./b",
        "/..",   "/%2e%2e/x", "/a/%2E",         "/a%2Fb",   "/a%2fb",   "/a%00",
        "/a%zz", "/a#frag",   "/a?b=%",         "/a?%=1",   "/a?b=%FF", "/\x7f",
        "/a b",  "/\xC3\xA9", "http://h?x"}) {
    EXPECT_EQ(ParseTarget(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << "\"" << bad << "\"";
  }
}

TEST(HttpQueryParams, UniqueAndIntegerAccessors) {
  const Target t = *ParseTarget(
      "/p?a=1&a=2&n=42&z=0&lead=007&neg=-1&big=18446744073709551616"
      "&max=18446744073709551615&word=abc&empty=");
  EXPECT_EQ(t.query.GetUnique("a").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(**t.query.GetUnique("n"), "42");
  EXPECT_FALSE(t.query.GetUnique("missing")->has_value());
  EXPECT_EQ(**t.query.GetUint64("n"), 42u);
  EXPECT_EQ(**t.query.GetUint64("z"), 0u);
  EXPECT_EQ(**t.query.GetUint64("max"), UINT64_MAX);
  EXPECT_FALSE(t.query.GetUint64("missing")->has_value());
  for (std::string_view bad : {"a", "lead", "neg", "big", "word", "empty"}) {
    auto v = t.query.GetUint64(bad);
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(v.status().message().find(std::string(bad)), std::string::npos);
  }
  // The field's own bound.
  EXPECT_EQ(**t.query.GetUint64("n", 42), 42u);
  EXPECT_EQ(t.query.GetUint64("n", 41).status().message(),
            "query parameter \"n\": not a decimal integer in [0, 41]");
  EXPECT_EQ(t.query.GetUint64("max", INT64_MAX).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// 2^63 and beyond must not wrap around where a signed 64-bit store takes them.
TEST(HttpParseDecimal, DigitsOnlyWithinTheBound) {
  EXPECT_EQ(*ParseDecimal("0", "x"), 0u);
  EXPECT_EQ(*ParseDecimal("18446744073709551615", "x"), UINT64_MAX);
  EXPECT_EQ(*ParseDecimal("9223372036854775807", "x", INT64_MAX), uint64_t{INT64_MAX});
  for (std::string_view bad :
       {"", "-1", "+1", " 1", "1 ", "01", "00", "1e3", "0x10", "1.0", "1,000", "\xEF\xBC\x91",
        "18446744073709551616", "99999999999999999999999", "9223372036854775808"}) {
    SCOPED_TRACE(bad);
    const uint64_t max = bad == "9223372036854775808" ? INT64_MAX : UINT64_MAX;
    auto v = ParseDecimal(bad, "query parameter \"after\"", max);
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(v.status().message(), absl::StrCat("query parameter \"after\": not a decimal "
                                                 "integer in [0, ",
                                                 max, "]"));
  }
}

TEST(HttpResponse, JsonAndText) {
  Response j = Response::Json(201, {{"index", 7}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(j.body, R"({"index":7})");
  // Invalid UTF-8 never throws; it is replaced.
  Response bad = Response::Json(200, {{"s", std::string("\xFF")}});
  EXPECT_EQ(bad.body, "{\"s\":\"\xEF\xBF\xBD\"}");
  Response t = Response::Text(200, "ok\n");
  EXPECT_EQ(t.headers.Get("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(t.body, "ok\n");
}

TEST(HttpResponse, ProblemDetails) {
  Response p = Response::Problem(400, "schema-violation", "missing issuer",
                                 {{"pointer", "/payload/issuer"}, {"status", 999}});
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(p.headers.Get("Content-Type"), "application/problem+json");
  const auto doc = nlohmann::json::parse(p.body);
  EXPECT_EQ(doc, nlohmann::json({{"type", "urn:accord:problem:schema-violation"},
                                 {"title", "Bad Request"},
                                 {"status", 400},
                                 {"detail", "missing issuer"},
                                 {"pointer", "/payload/issuer"}}));
  const auto bare = nlohmann::json::parse(Response::Problem(404, "x", "", nullptr, "Gone").body);
  EXPECT_EQ(bare,
            nlohmann::json({{"type", "urn:accord:problem:x"}, {"title", "Gone"}, {"status", 404}}));
}

TEST(HttpResponse, FromStatusMapsEveryCode) {
  const struct {
    absl::Status status;
    int http;
    std::string_view problem;
  } cases[] = {
      {absl::InvalidArgumentError("bad"), 400, problem::kInvalidArgument},
      {absl::OutOfRangeError("size"), 400, problem::kInvalidArgument},
      {absl::UnauthenticatedError("who"), 401, problem::kUnauthenticated},
      {absl::PermissionDeniedError("no"), 403, problem::kPermissionDenied},
      {absl::NotFoundError("none"), 404, problem::kNotFound},
      {absl::AlreadyExistsError("dup"), 409, problem::kConflict},
      {absl::FailedPreconditionError("state"), 409, problem::kConflict},
      {absl::AbortedError("race"), 409, problem::kConflict},
      {absl::UnimplementedError("later"), 501, problem::kNotImplemented},
      {absl::ResourceExhaustedError("queue full"), 503, problem::kUnavailable},
      {absl::UnavailableError("stopped"), 503, problem::kUnavailable},
      {absl::DeadlineExceededError("slow"), 504, problem::kTimeout},
      {absl::InternalError("/srv/secret/path"), 500, problem::kInternal},
      {absl::DataLossError("/srv/secret/tile"), 500, problem::kInternal},
      {absl::UnknownError("sql: SELECT"), 500, problem::kInternal},
      {absl::CancelledError("x"), 500, problem::kInternal},
  };
  for (const auto& c : cases) {
    const Response r = Response::FromStatus(c.status);
    EXPECT_EQ(r.status, c.http) << c.status;
    EXPECT_EQ(HttpStatusOf(c.status.code()), c.http);
    const auto doc = nlohmann::json::parse(r.body);
    EXPECT_EQ(doc["type"], ProblemType(c.problem)) << c.status;
    EXPECT_EQ(doc["status"], c.http);
    if (c.http == 500) {
      EXPECT_EQ(doc["detail"], "internal error");
      EXPECT_EQ(r.body.find("secret"), std::string::npos);
      EXPECT_EQ(r.body.find("SELECT"), std::string::npos);
    } else {
      EXPECT_EQ(doc["detail"], std::string(c.status.message()));
    }
    EXPECT_EQ(r.headers.Has("Retry-After"), c.http == 503) << c.status;
  }
  const Response with =
      Response::FromStatus(absl::InvalidArgumentError("bad"), {{"pointer", "/signatures/0/sig"}});
  EXPECT_EQ(nlohmann::json::parse(with.body)["pointer"], "/signatures/0/sig");
}

TEST(HttpResponse, ReasonPhrases) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(799), "Unknown");
}

TEST(HttpRequest, PathParamOrEmpty) {
  Request r;
  r.params["index"] = "42";
  EXPECT_EQ(r.PathParam("index"), "42");
  EXPECT_EQ(r.PathParam("other"), "");
}

}  // namespace
}  // namespace accord::http
