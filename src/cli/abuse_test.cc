// The abuse matrix of issue 7 against the real binary: a federated `accord serve` on
// 127.0.0.1 (party A) with a peer B that this test plays itself (a fake HTTP server
// listed in the directory, serving whatever log this test makes it serve). Each case
// checks (a) the documented status and RFC 9457 problem (docs/http.md,
// docs/openapi.yaml, docs/federation.md, docs/casework-bodies.md), (b) that the node
// stays up (GET /healthz answers and a valid statement is still accepted), and (c) that
// nothing was written (the checkpoint size, the files under log/, bodies/ and witness/,
// and the inbox unchanged).
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "src/cli/node_harness.h"
#include "src/crypto/ed25519.h"
#include "src/http/server.h"
#include "src/http/signature.h"
#include "src/http/testing.h"
#include "src/log/log.h"
#include "src/node/testing.h"
#include "src/note/checkpoint.h"
#include "src/note/keys.h"
#include "src/statement/statement.h"
#include "src/store/log_storage.h"
#include "src/util/strings.h"

namespace accord::cli {
namespace {

using nlohmann::json;
using statement::Kind;
using testing::ExpectProblem;
using testing::NodeProcess;
using testing::Snapshot;
using testing::SnapshotOf;

constexpr char kA[] = "cert.a.example/log";
constexpr char kB[] = "cert.b.example/log";

// An incident issued by `issuer`, signed by `signer`, addressed to `to`.
std::string Incident(const std::string& issuer, const note::Ed25519Signer& signer, int nonce,
                     const std::vector<std::string>& to = {}, const std::string& commitment = "") {
  json p = node::testing::ExamplePayload(Kind::kIncident, issuer, nonce);
  p["to"] = to;
  if (to.empty()) p.erase("to");
  if (commitment.empty()) {
    p.erase("private");
  } else {
    p["private"] = {{"sha256", commitment}};
  }
  return *statement::Sign(Kind::kIncident, p.dump(), signer);
}

// A log in `dir`, signed by `signer`, holding `entries`.
void MakeLog(const std::filesystem::path& dir, const note::Ed25519Signer& signer,
             const std::vector<std::string>& entries) {
  auto log = log::Log::Create(std::make_unique<store::PosixLogStorage>(dir), signer);
  ASSERT_TRUE(log.ok()) << log.status();
  if (entries.empty()) return;
  std::vector<std::span<const uint8_t>> views;
  for (const std::string& e : entries) views.push_back(util::AsBytes(e));
  ASSERT_TRUE((*log)->Append(views).ok());
}

// Party B as this test plays it: serves /checkpoint and /tile/… from a log folder it
// is told to serve, with any path overridden by fixed bytes.
class FakePeer {
 public:
  FakePeer() {
    http::Router router;
    router.Handle("GET", "/checkpoint",
                  [this](const http::Request&) { return Serve("checkpoint"); });
    router.Handle("GET", "/tile/*", [this](const http::Request& r) {
      return Serve(absl::StrCat("tile/", std::string(r.PathParam("*"))));
    });
    server_ = http::testing::StartServer(std::move(router));
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", server_->port()); }
  void ServeFolder(std::filesystem::path dir) {
    absl::MutexLock lock(&mu_);
    dir_ = std::move(dir);
  }
  void Override(std::string path, std::string bytes) {
    absl::MutexLock lock(&mu_);
    overrides_[std::move(path)] = std::move(bytes);
  }

 private:
  http::Response Serve(const std::string& path) {
    absl::MutexLock lock(&mu_);
    if (auto it = overrides_.find(path); it != overrides_.end()) {
      return http::Response::Text(200, it->second, "application/octet-stream");
    }
    if (dir_.empty() || !std::filesystem::exists(dir_ / path)) {
      return http::Response::FromStatus(absl::NotFoundError(path));
    }
    return http::Response::Text(200, testing::Slurp(dir_ / path), "application/octet-stream");
  }

  absl::Mutex mu_;
  std::filesystem::path dir_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> overrides_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<http::Server> server_;
};

http::ClientResponse FromRaw(const http::testing::RawResponse& r) {
  return {r.status, r.headers, r.body};
}

class AbuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& dir = scratch_.path();
    const uint16_t port = testing::FreePort();
    a_url_ = absl::StrCat("http://127.0.0.1:", port);
    for (const auto& [x, origin, url] : {std::tuple{"a", kA, a_url_}, {"b", kB, peer_.url()}}) {
      auto e = testing::Accord({"directory", "entry", "--data", (dir / x).string(), "--origin",
                                origin, "--url", url, "--name", absl::StrCat("CERT ", x)},
                               dir);
      ASSERT_EQ(e.code, 0) << e.err;
      std::ofstream(dir / absl::StrCat(x, ".json")) << e.out;
    }
    // Quorum 0: B's checkpoints are followed without cosignatures (B is this test).
    auto m = testing::Accord({"directory", "make", "--quorum", "0", (dir / "a.json").string(),
                              (dir / "b.json").string()},
                             dir);
    ASSERT_EQ(m.code, 0) << m.err;
    std::ofstream(dir / "directory.json") << m.out;
    party_.emplace(node::testing::KeyFromFile(dir / "a/party.key"));
    b_key_.emplace(node::testing::KeyFromFile(dir / "b/party.key"));
    b_skey_ = std::string(util::StripWhitespace(testing::Slurp(dir / "b/party.key")));
    a_skey_ = std::string(util::StripWhitespace(testing::Slurp(dir / "a/party.key")));
    MakeLog(dir / "b-empty", *b_key_, {});
    peer_.ServeFolder(dir / "b-empty");

    // Its standard error goes to a file, for the cases that check what the operator is
    // told; TearDown copies it to the test's.
    std::string serve = "exec";
    for (const std::string& arg :
         {std::string(ACCORD_CLI), std::string("serve"), std::string("--data"),
          (dir / "a").string(), std::string("--listen"), absl::StrCat("127.0.0.1:", port),
          std::string("--directory"), (dir / "directory.json").string(),
          std::string("--poll-interval-ms"), std::string("50"), std::string("--peer-timeout-ms"),
          std::string("2000"), std::string("--header-timeout-ms"), std::string("1000"),
          std::string("--body-timeout-ms"), std::string("1000"), std::string("--json")}) {
      absl::StrAppend(&serve, " ", testing::ShellQuote(arg));
    }
    absl::StrAppend(&serve, " 2>>", testing::ShellQuote(StderrPath().string()));
    auto node = NodeProcess::Start({"/bin/sh", "-c", serve});
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    ASSERT_EQ(Post(Incident(kA, *party_, nonce_++)).status, 201);  // the log is not empty
    Remember();
  }

  void TearDown() override {
    if (node_) {
      EXPECT_TRUE(node_->StopCleanly()) << "the node did not stop cleanly";
    }
    std::cerr << NodeStderr();
  }

  std::filesystem::path StderrPath() const { return scratch_.path() / "a.stderr"; }
  std::string NodeStderr() const { return testing::Slurp(StderrPath()); }

  http::ClientResponse Post(std::string body, const std::string& target = "/v1/statements") {
    auto r = node_->http().Post(target, std::move(body));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }

  // Sends raw bytes on a new connection and reads one response.
  absl::StatusOr<http::ClientResponse> Raw(std::string_view bytes,
                                           absl::Duration timeout = absl::Seconds(5)) {
    auto conn = http::testing::RawConnection::Open(node_->port());
    if (!conn) return absl::UnavailableError("cannot connect");
    conn->Send(bytes);  // may fail part-way once the node has answered
    auto r = conn->Read(timeout);
    if (!r.ok()) return r.status();
    return FromRaw(*r);
  }

  // What "nothing was written" is compared against.
  void Remember() {
    size_ = testing::LogSize(node_->http());
    files_ = Files();
    inbox_ = Inbox();
  }
  Snapshot Files() {
    Snapshot s;
    for (const char* sub : {"log", "bodies", "witness"}) {
      for (auto& [k, v] : SnapshotOf(scratch_.path() / "a" / sub)) s[absl::StrCat(sub, "/", k)] = v;
    }
    return s;
  }
  json Inbox() {
    auto r = node_->http().Get("/v1/inbox");
    return r.ok() && r->status == 200 ? json::parse(r->body)["items"] : json();
  }
  json PeerB() {
    auto r = node_->http().Get("/v1/peers");
    if (!r.ok() || r->status != 200) return json();
    json j = json::parse(r->body);
    for (const json& p : j["peers"]) {
      if (p["origin"] == kB) return p;
    }
    return json();
  }

  // (c): nothing was written since Remember().
  void ExpectNothingWritten() {
    EXPECT_EQ(testing::LogSize(node_->http()), size_);
    EXPECT_EQ(Files(), files_);
    EXPECT_EQ(Inbox(), inbox_);
  }
  // (b): the node answers /healthz and still accepts a valid statement.
  void ExpectStillServing() {
    auto h = node_->http().Get("/healthz");
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(h->status, 200) << h->body;
    EXPECT_EQ(Post(Incident(kA, *party_, nonce_++)).status, 201);
  }
  void ExpectUntouchedAndServing() {
    ExpectNothingWritten();
    ExpectStillServing();
  }

  testing::ScratchDir scratch_{"accord-abuse"};
  FakePeer peer_;
  std::string a_url_, a_skey_, b_skey_;
  std::optional<note::Ed25519Signer> party_, b_key_;
  std::unique_ptr<NodeProcess> node_;
  int nonce_ = 0;
  std::optional<uint64_t> size_;
  Snapshot files_;
  json inbox_;
};

// --- HTTP limits ---------------------------------------------------------------------

TEST_F(AbuseTest, OversizedBodiesAre413) {
  // A statement is at most 65,535 bytes: the route's limit.
  ExpectProblem(node_->http().Post("/v1/statements", std::string(70'000, '{')), 413,
                "body-too-large");
  // Announced lengths are refused before a byte of the body is read.
  for (const char* target : {"/v1/statements", "/add-checkpoint"}) {
    ExpectProblem(Raw(absl::StrCat("POST ", target,
                                   " HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n")),
                  413, "body-too-large");
  }
  ExpectProblem(Raw(absl::StrCat("PUT /v1/bodies/", std::string(64, 'a'),
                                 " HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n")),
                413, "body-too-large");
  // Chunked, the length unannounced: refused once the chunks pass the limit.
  std::string chunked =
      "POST /v1/statements HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i)
    absl::StrAppend(&chunked, "1000\r\n", std::string(4096, '['), "\r\n");
  ExpectProblem(Raw(absl::StrCat(chunked, "0\r\n\r\n")), 413, "body-too-large");
  // Expect: 100-continue is answered with the refusal, not with 100.
  auto conn = http::testing::RawConnection::Open(node_->port());
  ASSERT_TRUE(conn);
  conn->Send(
      "POST /v1/statements HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
      "Content-Length: 70000\r\n\r\n");
  auto r = conn->Read(absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectProblem(FromRaw(*r), 413, "body-too-large");
  ExpectUntouchedAndServing();
}

TEST_F(AbuseTest, OversizedHeadersAre431AndLongTargetsAre414) {
  http::ClientRequest big{.method = "GET", .target = "/healthz"};
  big.headers.Add("X-Pad", std::string(20'000, 'p'));
  ExpectProblem(node_->http().Do(big), 431, "headers-too-large");
  http::ClientRequest many{.method = "POST", .target = "/v1/statements"};
  for (int i = 0; i < 400; ++i) many.headers.Add(absl::StrCat("X-Pad-", i), std::string(60, 'p'));
  many.body = Incident(kA, *party_, nonce_++);
  ExpectProblem(node_->http().Do(many), 431, "headers-too-large");
  ExpectProblem(
      Raw(absl::StrCat("GET /tile/", std::string(5000, '0'), " HTTP/1.1\r\nHost: a\r\n\r\n")), 414,
      "target-too-long");
  ExpectUntouchedAndServing();
}

TEST_F(AbuseTest, SlowlorisHeadersGet408WhileOthersAreServed) {
  auto slow = http::testing::RawConnection::Open(node_->port());
  ASSERT_TRUE(slow);
  const absl::Time start = absl::Now();
  ASSERT_TRUE(slow->Send("POST /v1/statements HTTP/1.1\r\nHost: a\r\n"));
  // One header line every 100 ms, until the node answers: each read makes progress, the
  // whole head never ends.
  absl::StatusOr<http::testing::RawResponse> r = absl::DeadlineExceededError("not yet");
  for (int i = 0; i < 50 && absl::IsDeadlineExceeded(r.status()); ++i) {
    if (!slow->Send(absl::StrCat("X-Drip-", i, ": y\r\n"))) break;
    auto h = node_->http().Get("/healthz");  // others are served meanwhile
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(h->status, 200);
    r = slow->Read(absl::Milliseconds(100));
  }
  if (!r.ok()) r = slow->Read(absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectProblem(FromRaw(*r), 408, "request-timeout");
  EXPECT_EQ(r->headers.Get("Connection"), "close");
  EXPECT_TRUE(slow->WaitClosed(absl::Seconds(5)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(6));  // --header-timeout-ms 1000, + linger
  ExpectUntouchedAndServing();
}

TEST_F(AbuseTest, StalledBodyGets408WhileOthersAreServed) {
  auto slow = http::testing::RawConnection::Open(node_->port());
  ASSERT_TRUE(slow);
  const std::string statement = Incident(kA, *party_, nonce_++);
  ASSERT_TRUE(slow->Send(absl::StrCat("POST /v1/statements HTTP/1.1\r\nHost: a\r\nContent-Length: ",
                                      statement.size(), "\r\n\r\n", statement.substr(0, 10))));
  auto h = node_->http().Get("/healthz");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->status, 200);
  auto r = slow->Read(absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectProblem(FromRaw(*r), 408, "request-timeout");
  EXPECT_TRUE(slow->WaitClosed(absl::Seconds(5)));
  // A body that keeps coming, a byte every 100 ms, is cut off all the same.
  auto drip = http::testing::RawConnection::Open(node_->port());
  ASSERT_TRUE(drip);
  ASSERT_TRUE(drip->Send(absl::StrCat("POST /v1/statements HTTP/1.1\r\nHost: a\r\nContent-Length: ",
                                      statement.size(), "\r\n\r\n")));
  const absl::Time start = absl::Now();
  r = absl::DeadlineExceededError("not yet");
  for (size_t i = 0; i < 50 && absl::IsDeadlineExceeded(r.status()); ++i) {
    if (!drip->Send(statement.substr(i, 1))) break;
    r = drip->Read(absl::Milliseconds(100));  // the answer, or 100 ms more of dripping
  }
  if (!r.ok()) r = drip->Read(absl::Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectProblem(FromRaw(*r), 408, "request-timeout");
  EXPECT_LT(absl::Now() - start, absl::Seconds(6));
  ExpectUntouchedAndServing();  // the parts of statements that came were not taken
}

TEST_F(AbuseTest, ManySlowClientsDoNotStarveOthers) {
  std::vector<http::testing::RawConnection> slow;
  for (int i = 0; i < 200; ++i) {
    auto c = http::testing::RawConnection::Open(node_->port());
    ASSERT_TRUE(c);
    c->Send("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ");
    slow.push_back(*std::move(c));
  }
  for (int i = 0; i < 20; ++i) {
    const absl::Time start = absl::Now();
    auto h = node_->http().Get("/healthz");
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(h->status, 200);
    EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  }
  EXPECT_EQ(Post(Incident(kA, *party_, nonce_++)).status, 201);
  // Each is answered 408 and closed once its header deadline passes.
  for (auto& c : slow) {
    auto r = c.Read(absl::Seconds(5));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 408);
  }
  Remember();
  ExpectUntouchedAndServing();
}

TEST_F(AbuseTest, MalformedHttpIs400AndClosed) {
  const std::string cases[] = {
      "GARBAGE\r\n\r\n",
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15),  // a TLS hello
      "GET /healthz HTTP/1.1\r\n\r\n",                                          // no Host
      "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost a\r\n\r\n",
      "POST /v1/statements HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
      "POST /v1/statements HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one literal on two lines
      "POST /v1/statements HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST /v1/statements HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /healthz HTTP/9.9\r\nHost: a\r\n\r\n",
  };
  for (const std::string& bytes : cases) {
    SCOPED_TRACE(bytes);
    auto conn = http::testing::RawConnection::Open(node_->port());
    ASSERT_TRUE(conn);
    conn->Send(bytes);
    auto r = conn->Read(absl::Seconds(5));
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectProblem(FromRaw(*r), 400, "malformed-request");
    EXPECT_TRUE(conn->WaitClosed(absl::Seconds(5)));
  }
  ExpectProblem(Raw("POST /v1/statements HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"),
                501, "not-implemented");
  ExpectUntouchedAndServing();
}

// --- JSON and UTF-8 ------------------------------------------------------------------

TEST_F(AbuseTest, DeeplyNestedJsonIsAProblem) {
  const std::string deep = std::string(30'000, '[') + std::string(30'000, ']');
  ExpectProblem(node_->http().Post("/v1/statements", deep), 400, "bad-json");
  // An envelope whose members nest deep.
  ExpectProblem(
      node_->http().Post("/v1/statements", absl::StrCat(R"({"payload":"e30=","payloadType":)", deep,
                                                        R"(,"signatures":[]})")),
      400, "bad-json");
  // A correctly signed statement whose payload nests deep in a member.
  json p = node::testing::ExamplePayload(Kind::kIncident, kA, nonce_++);
  std::string payload = p.dump();
  payload.insert(payload.size() - 1,
                 absl::StrCat(R"(,"extra":)", std::string(20'000, '['), std::string(20'000, ']')));
  ExpectProblem(
      node_->http().Post("/v1/statements", *statement::Sign(Kind::kIncident, payload, *party_)),
      400, "bad-json");
  ExpectUntouchedAndServing();
}

TEST_F(AbuseTest, InvalidUtf8InTargetAndPayloadIsRefused) {
  for (const std::string target : {"/v1/statements?kind=%C3%28", "/v1/statements?kind=%FF",
                                   "/v1/statements/%ED%A0%80", "/v1/statements?kind=%C0%AF"}) {
    SCOPED_TRACE(target);
    ExpectProblem(Raw(absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: a\r\n\r\n")), 400,
                  "bad-target");
  }
  ExpectProblem(Raw("GET /v1/statements/\xff\xfe HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "bad-target");
  // Invalid UTF-8 in the envelope's JSON text, and in a correctly signed payload.
  ExpectProblem(node_->http().Post("/v1/statements", "{\"payload\":\"\xff\xfe\"}"), 400,
                "bad-json");
  json p = node::testing::ExamplePayload(Kind::kIncident, kA, nonce_++);
  std::string payload = p.dump();
  const size_t title = payload.find("Intrusion");
  ASSERT_NE(title, std::string::npos);
  payload.replace(title, 2, "\xc3\x28");
  ExpectProblem(
      node_->http().Post("/v1/statements", *statement::Sign(Kind::kIncident, payload, *party_)),
      400, "bad-json");
  ExpectUntouchedAndServing();
}

// --- Strict input ---------------------------------------------------------------------

// What nlohmann alone would read, and other parsers refuse: bytes after a NUL, a byte
// order mark, a lone surrogate, a repeated member — in the envelope and in a correctly
// signed payload. Each would have been stored as sent.
TEST_F(AbuseTest, JsonThatParsersReadDifferentlyIsBadJson) {
  const std::string good = Incident(kA, *party_, nonce_++);
  const std::string nul(1, '\0');
  for (const auto& [what, envelope] : std::vector<std::pair<std::string, std::string>>{
           {"a NUL after the envelope", good + nul},
           {"a NUL and a second document", good + nul + R"({"payload":"e30="})"},
           {"a byte order mark", "\xEF\xBB\xBF" + good},
           {"a repeated member", absl::StrCat(R"({"payloadType":"x",)", good.substr(1))}}) {
    SCOPED_TRACE(what);
    ExpectProblem(node_->http().Post("/v1/statements", envelope), 400, "bad-json");
  }
  const std::string payload = node::testing::ExamplePayload(Kind::kIncident, kA, nonce_++).dump();
  std::string surrogate = payload;
  const size_t title = surrogate.find("Intrusion");
  ASSERT_NE(title, std::string::npos);
  surrogate.replace(title, 1, "\\ud800");
  for (const auto& [what, bad] : std::vector<std::pair<std::string, std::string>>{
           {"a byte order mark", "\xEF\xBB\xBF" + payload},
           {"a NUL after the payload", payload + nul},
           {"a NUL and a second document", payload + nul + R"({"kind":"claim"})"},
           {"a lone surrogate", surrogate},
           {"a repeated member",
            absl::StrCat(R"({"issuer":"cert.x.example/log",)", payload.substr(1))}}) {
    SCOPED_TRACE(what);
    auto doc = ExpectProblem(
        node_->http().Post("/v1/statements", *statement::Sign(Kind::kIncident, bad, *party_)), 400,
        "bad-json");
    EXPECT_TRUE(doc.value("pointer", "").starts_with("/payload")) << doc;
  }
  ExpectUntouchedAndServing();
}

// Years before 1000 would be served back as "999-…", which is no RFC 3339; the schema
// refuses them (docs/statements.md).
TEST_F(AbuseTest, TimesBeforeTheYear1000AreRefused) {
  for (const auto& [member, time] :
       std::vector<std::pair<std::string, std::string>>{{"issued", "0999-12-31T23:59:59Z"},
                                                        {"issued", "0000-01-01T00:00:00Z"},
                                                        {"detected", "0500-03-14T06:18:00Z"}}) {
    SCOPED_TRACE(time);
    json p = node::testing::ExamplePayload(Kind::kIncident, kA, nonce_++);
    p[member] = time;
    auto doc = ExpectProblem(
        node_->http().Post("/v1/statements", *statement::Sign(Kind::kIncident, p.dump(), *party_)),
        400, "schema-violation");
    EXPECT_EQ(doc.value("pointer", ""), "/payload/" + member) << doc;
  }
  ExpectUntouchedAndServing();
}

// Integers at or beyond 2^63 used to wrap around in the stores (after=2^63 listed from
// the start); repeated parameters were "first wins"; unknown ones were ignored. Every
// route now refuses them, the federation's and casework's included.
TEST_F(AbuseTest, QueryParametersAreStrictOnEveryRoute) {
  for (const std::string target : {"/v1/statements?after=9223372036854775808",
                                   "/v1/statements?after=18446744073709551616",
                                   "/v1/statements?after=-1",
                                   "/v1/statements?after=%2B0",
                                   "/v1/statements?after=",
                                   "/v1/statements?limit=1&limit=1000",
                                   "/v1/statements?kind=incident&kind=claim",
                                   "/v1/statements?kindd=claim",
                                   "/v1/statements?ref=cert.a.example/log:9223372036854775808",
                                   "/v1/statements/9223372036854775808",
                                   "/v1/statements/18446744073709551616",
                                   "/v1/proofs/inclusion?index=0&size=9223372036854775808",
                                   "/v1/proofs/consistency?from=1&from=1",
                                   "/v1/inbox?after=9223372036854775808",
                                   "/v1/inbox?after=-1",
                                   "/v1/inbox?limit=5&limit=6",
                                   "/v1/inbox?origin=",
                                   "/v1/inbox?since=1",
                                   "/v1/cases?limit=1",
                                   "/v1/peers?x",
                                   "/checkpoint?x=1",
                                   "/tile/0/000.p/1?x=1",
                                   "/healthz?verbose=1"}) {
    SCOPED_TRACE(target);
    ExpectProblem(Raw(absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: a\r\n\r\n")), 400,
                  "invalid-argument");
  }
  // A repeated parameter on a write route is refused before the body is read.
  ExpectProblem(node_->http().Post("/v1/statements?x=1", Incident(kA, *party_, nonce_++)), 400,
                "invalid-argument");
  // At the bound, a cursor is a cursor.
  auto page = node_->http().Get("/v1/statements?after=9223372036854775807");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->status, 200) << page->body;
  EXPECT_EQ(json::parse(page->body)["statements"].size(), 0u);
  ExpectUntouchedAndServing();
}

// RFC 9112 §6: only "Transfer-Encoding: chunked", once, is accepted; any other coding,
// list or spelling is 501 and closes; Transfer-Encoding in HTTP/1.0, or beside
// Content-Length, is faulty framing: 400 and closed.
TEST_F(AbuseTest, TransferCodingsOtherThanOneChunkedAreRefusedAndClosed) {
  const std::string statement = Incident(kA, *party_, nonce_++);
  const std::string chunked =
      absl::StrCat("\r\n\r\n", absl::Hex(statement.size()), "\r\n", statement, "\r\n0\r\n\r\n");
  const auto expect = [&](const std::string& head, int status, std::string_view problem) {
    SCOPED_TRACE(head);
    auto conn = http::testing::RawConnection::Open(node_->port());
    ASSERT_TRUE(conn);
    conn->Send(head + chunked);
    auto r = conn->Read(absl::Seconds(5));
    ASSERT_TRUE(r.ok()) << r.status();
    ExpectProblem(FromRaw(*r), status, problem);
    EXPECT_EQ(r->headers.Get("Connection"), "close");
    EXPECT_TRUE(conn->WaitClosed(absl::Seconds(5)));
  };
  const std::string post = "POST /v1/statements HTTP/1.1\r\nHost: a\r\n";
  for (const char* te : {"Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked, chunked",
                         "Transfer-Encoding: identity", "Transfer-Encoding: Chunked",
                         "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
                         "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked"}) {
    expect(post + te, 501, "not-implemented");
  }
  expect("POST /v1/statements HTTP/1.0\r\nTransfer-Encoding: chunked", 400, "malformed-request");
  expect(
      "POST /v1/statements HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n"
      "Transfer-Encoding: chunked",
      400, "malformed-request");
  expect(absl::StrCat(post, "Transfer-Encoding: gzip\r\nContent-Length: ", chunked.size() - 4), 400,
         "malformed-request");

  // The same from curl, as a client sends them (curl adds the chunked framing itself when
  // the header names chunked, and a Content-Length otherwise).
  const std::string curl = testing::FindProgram("curl");
  if (curl.empty()) {
    std::cerr << "curl is not installed: the curl half of this case is skipped\n";
  } else {
    const std::filesystem::path body = scratch_.path() / "statement.json";
    std::ofstream(body, std::ios::binary) << statement;
    for (const auto& [args, status, problem] :
         std::vector<std::tuple<std::vector<std::string>, int, std::string>>{
             {{"--http1.0", "-H", "Transfer-Encoding: chunked"}, 400, "malformed-request"},
             {{"-H", "Transfer-Encoding: gzip, chunked"}, 501, "not-implemented"},
             {{"-H", "Transfer-Encoding: gzip"}, 400, "malformed-request"},
             {{"--http1.0", "-H", "Transfer-Encoding: gzip"}, 400, "malformed-request"}}) {
      std::vector<std::string> argv = {curl, "-sS", "--max-time",    "10",
                                       "-D", "-",   "--data-binary", "@" + body.string()};
      argv.insert(argv.end(), args.begin(), args.end());
      argv.push_back(a_url_ + "/v1/statements");
      SCOPED_TRACE(absl::StrJoin(argv, " "));
      const testing::RunResult r = testing::Run(argv, scratch_.path());
      ASSERT_EQ(r.code, 0) << r.err;
      const size_t end = r.out.find("\r\n\r\n");
      ASSERT_NE(end, std::string::npos) << r.out;
      EXPECT_TRUE(r.out.starts_with(absl::StrCat("HTTP/1.1 ", status, " "))) << r.out;
      EXPECT_TRUE(absl::StrContains(r.out.substr(0, end), "Connection: close")) << r.out;
      EXPECT_TRUE(absl::StrContains(r.out.substr(end), http::ProblemType(problem))) << r.out;
    }
  }
  ExpectUntouchedAndServing();
}

// A tile or bundle the checkpoint covers but the storage lacks: 503 storage-failure in
// the log's terms, never a 404 and never the data folder's path; the cause goes to the
// node's standard error once.
TEST_F(AbuseTest, StorageFailuresOnReadPathsNameNoPath) {
  const std::filesystem::path log_dir = scratch_.path() / "a/log";
  ASSERT_TRUE(std::filesystem::remove(log_dir / "tile/0/000.p/1"));
  ASSERT_TRUE(std::filesystem::remove(log_dir / "tile/entries/000.p/1"));
  Remember();
  const std::string folder = scratch_.path().string();
  for (const auto& [target, detail] : std::vector<std::pair<std::string, std::string>>{
           {"/tile/0/000.p/1", "tile/0/000.p/1 is missing from the node's storage"},
           {"/tile/0/000.p/1", "tile/0/000.p/1 is missing from the node's storage"},  // again
           {"/tile/entries/000.p/1", "tile/entries/000.p/1 is missing from the node's storage"},
           {"/v1/statements/0", "statement 0 is missing from the node's storage"},
           {"/v1/proofs/inclusion?index=0", "entry 0 is missing from the node's storage"}}) {
    SCOPED_TRACE(target);
    auto r = node_->http().Get(target);
    auto doc = ExpectProblem(r, 503, "storage-failure");
    EXPECT_EQ(doc.value("detail", ""), detail + "; the node's operator has been told") << doc;
    if (r.ok()) {
      EXPECT_FALSE(absl::StrContains(r->body, folder)) << r->body;
    }
  }
  ExpectUntouchedAndServing();
  // The operator learns which file, once per cause.
  const std::string err = NodeStderr();
  const std::string line = "reading the log failed: tile/0/000.p/1: NOT_FOUND";
  const size_t first = err.find(line);
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find(line, first + 1), std::string::npos) << err;
  EXPECT_TRUE(absl::StrContains(err, (log_dir / "tile/0/000.p/1").string())) << err;
}

// --- Path traversal ------------------------------------------------------------------

TEST_F(AbuseTest, PathTraversalInTilePathsIsRefused) {
  const std::string refused[] = {
      "/tile/../party.key",
      "/tile/../../a/party.key",
      "/tile/%2e%2e/party.key",
      "/tile/%2E%2E/%2e%2e/a/party.key",
      "/tile/..%2Fparty.key",
      "/tile/0%2F..%2F..%2Fparty.key",
      "/tile/entries/%2e%2e%2fparty.key",
      "/tile/0/x001/../../../party.key",
      "/tile/./0/000",
      "/tile/0/000%00",
      "http://a/tile/../party.key",
  };
  for (const std::string& target : refused) {
    SCOPED_TRACE(target);
    auto r = Raw(absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: a\r\n\r\n"));
    ExpectProblem(r, 400, "bad-target");
    if (r.ok()) {
      EXPECT_FALSE(absl::StrContains(r->body, "PRIVATE+KEY"));
    }
  }
  // Not a traversal once decoded, but not a tile either.
  for (const std::string target : {"/tile/0/..%5C..%5Cparty.key", "/tile/party.key",
                                   "/tile/0/000.p/0", "/tile/entries/x000/000"}) {
    SCOPED_TRACE(target);
    ExpectProblem(Raw(absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: a\r\n\r\n")), 404,
                  "not-found");
  }
  ExpectUntouchedAndServing();
}

TEST_F(AbuseTest, PathTraversalInBodyPathsIsRefused) {
  auto a_signer = testing::RequestSignerFor(a_skey_);
  for (const std::string target :
       {"/v1/bodies/../party.key", "/v1/bodies/%2e%2e/%2e%2e/a/party.key",
        "/v1/bodies/..%2F..%2Fparty.key", "/v1/bodies/%2E%2E%2Fbox.key"}) {
    SCOPED_TRACE(target);
    // Refused before anyone is authenticated, signed or not.
    http::ClientRequest get{.method = "GET", .target = target};
    ASSERT_TRUE(a_signer.Sign(node_->http().url(), get).ok());
    ExpectProblem(Raw(absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: a\r\n\r\n")), 400,
                  "bad-target");
    http::ClientRequest put{.method = "PUT", .target = target, .body = "{}"};
    ASSERT_TRUE(a_signer.Sign(node_->http().url(), put).ok());
    std::string raw =
        absl::StrCat("PUT ", target, " HTTP/1.1\r\nHost: ", node_->http().url().HostPort(),
                     "\r\nContent-Length: 2\r\n");
    for (const auto& [k, v] : put.headers.fields()) absl::StrAppend(&raw, k, ": ", v, "\r\n");
    ExpectProblem(Raw(absl::StrCat(raw, "\r\n{}")), 400, "bad-target");
  }
  // Authenticated requests for what is not a commitment: 400, nothing touched.
  for (const std::string& id : {std::string(64, 'Z'), std::string(64, 'A'), std::string(63, 'a'),
                                std::string("..") + std::string(62, 'a')}) {
    SCOPED_TRACE(id);
    http::ClientRequest get{.method = "GET", .target = absl::StrCat("/v1/bodies/", id)};
    ASSERT_TRUE(a_signer.Sign(node_->http().url(), get).ok());
    ExpectProblem(node_->http().Do(get), 400, "invalid-argument");
    http::ClientRequest put{.method = "PUT",
                            .target = absl::StrCat("/v1/bodies/", id),
                            .body = R"({"copies":[{"addressee":"cert.b.example/log","sealed":")" +
                                    std::string(100, 'A') + R"("}]})"};
    ASSERT_TRUE(a_signer.Sign(node_->http().url(), put).ok());
    ExpectProblem(node_->http().Do(put), 400, "invalid-argument");
  }
  ExpectUntouchedAndServing();
}

// --- Signed requests for confidential bodies ------------------------------------------

TEST_F(AbuseTest, ReplayedExpiredAndForeignSignedRequestsAre401) {
  // A stores a body for B and publishes the statement committing to it; B reads it once.
  const std::string commitment = util::HexEncode(crypto::Sha256("a body"));
  http::ClientRequest put{
      .method = "PUT",
      .target = absl::StrCat("/v1/bodies/", commitment),
      .body = absl::StrCat(R"({"copies":[{"addressee":")", kB, R"(","sealed":")",
                           std::string(100, 'A'), R"("}]})")};
  ASSERT_TRUE(testing::RequestSignerFor(a_skey_).Sign(node_->http().url(), put).ok());
  auto stored = node_->http().Do(put);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->status, 201) << stored->body;
  ASSERT_EQ(Post(Incident(kA, *party_, nonce_++, {kB}, commitment)).status, 201);
  const std::string target = absl::StrCat("/v1/bodies/", commitment);
  http::ClientRequest get{.method = "GET", .target = target};
  ASSERT_TRUE(testing::RequestSignerFor(b_skey_).Sign(node_->http().url(), get).ok());
  auto first = node_->http().Do(get);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->status, 200) << first->body;  // and the release is recorded
  Remember();

  // The same signed request again.
  auto replay = ExpectProblem(node_->http().Do(get), 401, "unauthenticated");
  EXPECT_TRUE(absl::StrContains(replay.value("detail", ""), "replay")) << replay;
  // Expired: signed 10 minutes ago for 60 s.
  http::ClientRequest old{.method = "GET", .target = target};
  ASSERT_TRUE(
      testing::RequestSignerFor(b_skey_, {.now = [] { return absl::Now() - absl::Minutes(10); }})
          .Sign(node_->http().url(), old)
          .ok());
  ExpectProblem(node_->http().Do(old), 401, "unauthenticated");
  // Created 10 minutes ahead of the node's clock.
  http::ClientRequest ahead{.method = "GET", .target = target};
  ASSERT_TRUE(
      testing::RequestSignerFor(b_skey_, {.now = [] { return absl::Now() + absl::Minutes(10); }})
          .Sign(node_->http().url(), ahead)
          .ok());
  ExpectProblem(node_->http().Do(ahead), 401, "unauthenticated");
  // A key the directory does not list, even under B's key name.
  auto stranger = *note::GenerateKey(kB);
  http::ClientRequest foreign{.method = "GET", .target = target};
  ASSERT_TRUE(
      testing::RequestSignerFor(stranger.private_key).Sign(node_->http().url(), foreign).ok());
  auto unknown = ExpectProblem(node_->http().Do(foreign), 401, "unauthenticated");
  EXPECT_TRUE(absl::StrContains(unknown.value("detail", ""), "keyid")) << unknown;
  // Signed by B for another target, and not signed at all.
  http::ClientRequest moved{.method = "GET", .target = target};
  ASSERT_TRUE(testing::RequestSignerFor(b_skey_).Sign(node_->http().url(), moved).ok());
  moved.target = absl::StrCat("/v1/bodies/", std::string(64, 'b'));
  ExpectProblem(node_->http().Do(moved), 401, "unauthenticated");
  ExpectProblem(node_->http().Get(target), 401, "unauthenticated");
  // Nothing released, nothing recorded (no access statement, no file).
  ExpectUntouchedAndServing();
}

// --- Statements by keys the node does not accept ------------------------------------

// Through the real binary: a statement citing nothing real, or dated outside the intake
// window, is refused and changes nothing.
TEST_F(AbuseTest, RefsThatCiteNothingAndBackdatedStatementsAreRefused) {
  auto citing = [&](const std::string& origin, uint64_t index, const std::string& leaf_b64) {
    json p = node::testing::ExamplePayload(Kind::kRequest, kA, nonce_++);
    p["to"] = {kB};
    p["refs"] = json::array(
        {{{"origin", origin}, {"index", index}, {"leaf_hash", leaf_b64}, {"kind", "incident"}}});
    return *statement::Sign(Kind::kRequest, p.dump(), *party_);
  };
  const std::string zero = util::Base64Encode(crypto::Digest{});
  ExpectProblem(node_->http().Post("/v1/statements", citing(kA, 0, zero)), 400, "bad-ref");
  ExpectProblem(node_->http().Post("/v1/statements", citing("cert.nowhere.example/log", 0, zero)),
                400, "bad-ref");
  auto later = node_->http().Post("/v1/statements", citing(kB, 999, zero));
  ExpectProblem(later, 409, "unresolved-ref");
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->headers.Has("Retry-After"));
  json old = node::testing::ExamplePayload(Kind::kIncident, kA, nonce_++);
  old["issued"] =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() - absl::Hours(24), absl::UTCTimeZone());
  ExpectProblem(
      node_->http().Post("/v1/statements", *statement::Sign(Kind::kIncident, old.dump(), *party_)),
      400, "backdated");
  ExpectUntouchedAndServing();
}

TEST_F(AbuseTest, RequestsOnlyToOtherPartiesOfTheDirectory) {
  for (const std::string& to : {std::string("cert.nowhere.example/log"), std::string(kA)}) {
    json p = node::testing::ExamplePayload(Kind::kRequest, kA, nonce_++);
    p.erase("refs");
    p["to"] = {kB, to};
    json problem = ExpectProblem(
        node_->http().Post("/v1/statements", *statement::Sign(Kind::kRequest, p.dump(), *party_)),
        400, "procedure-violation");
    EXPECT_NE(problem.value("detail", "").find(to), std::string::npos) << problem.dump();
  }
  ExpectUntouchedAndServing();
}

TEST_F(AbuseTest, StatementsByUnknownOrRevokedKeysAre403) {
  auto stranger = *note::NewSigner(note::GenerateKey(kA)->private_key);  // A's name, not A's key
  ExpectProblem(node_->http().Post("/v1/statements", Incident(kA, stranger, nonce_++)), 403,
                "unknown-signer");
  // B's key is in the directory, but B does not write A's log.
  ExpectProblem(node_->http().Post("/v1/statements", Incident(kA, *b_key_, nonce_++)), 403,
                "unknown-signer");
  // An officer, authorised and then revoked by the party.
  auto pair = *note::GenerateKey("cert.a.example/officer/ana");
  auto officer = *note::NewSigner(pair.private_key);
  json auth = node::testing::ExamplePayload(Kind::kOfficer, kA, nonce_++);
  auth["key"] = pair.verifier_key;
  ASSERT_EQ(Post(*statement::Sign(Kind::kOfficer, auth.dump(), *party_)).status, 201);
  ASSERT_EQ(Post(Incident(kA, officer, nonce_++)).status, 201);
  json revoke = auth;
  revoke["action"] = "revoke";
  revoke["issued"] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  ASSERT_EQ(Post(*statement::Sign(Kind::kOfficer, revoke.dump(), *party_)).status, 201);
  Remember();
  ExpectProblem(node_->http().Post("/v1/statements", Incident(kA, officer, nonce_++)), 403,
                "unknown-signer");
  // The party's own authorisation replayed, re-spelled: the same statement, so the
  // original's receipt and nothing appended; a new authorisation of the same key is
  // refused. A revocation is final.
  auto replayed = node_->http().Post(
      "/v1/statements",
      json::parse(*statement::Sign(Kind::kOfficer, auth.dump(), *party_)).dump(1));
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->status, 200) << replayed->body;
  EXPECT_EQ(json::parse(replayed->body).value("duplicate", false), true) << replayed->body;
  json renewed = auth;
  renewed["issued"] = revoke["issued"];
  ExpectProblem(node_->http().Post("/v1/statements",
                                   *statement::Sign(Kind::kOfficer, renewed.dump(), *party_)),
                409, "officer-decision");
  Remember();
  ExpectProblem(node_->http().Post("/v1/statements", Incident(kA, officer, nonce_++)), 403,
                "unknown-signer");
  // A revoked officer cannot revoke or authorise either.
  json again = auth;
  again["issued"] = revoke["issued"];
  ExpectProblem(
      node_->http().Post("/v1/statements", *statement::Sign(Kind::kOfficer, again.dump(), officer)),
      403, "unknown-signer");
  ExpectUntouchedAndServing();
}

// --- Witness requests ----------------------------------------------------------------

TEST_F(AbuseTest, WitnessRequestsForUnknownLogsAre404AndMalformedOnes400) {
  auto post = [&](std::string body) {
    return node_->http().Post("/add-checkpoint", std::move(body), http::kTextContentType);
  };
  auto unknown = *note::NewSigner(note::GenerateKey("cert.x.example/log")->private_key);
  const std::string x_cp =
      *note::SignCheckpoint({"cert.x.example/log", 0, tlog::EmptyTreeHash(), {}}, unknown);
  ExpectProblem(post("old 0\n\n" + x_cp), 404, "unknown-log");
  // The witness's own log is not one it witnesses.
  const std::string own = *note::SignCheckpoint({kA, 0, tlog::EmptyTreeHash(), {}}, *party_);
  ExpectProblem(post("old 0\n\n" + own), 404, "unknown-log");
  // B's origin under another key.
  auto impostor = *note::NewSigner(note::GenerateKey(kB)->private_key);
  const std::string forged = *note::SignCheckpoint({kB, 0, tlog::EmptyTreeHash(), {}}, impostor);
  ExpectProblem(post("old 0\n\n" + forged), 403, "bad-signature");
  const std::string b_cp = *note::SignCheckpoint({kB, 0, tlog::EmptyTreeHash(), {}}, *b_key_);
  std::string sixty_four_proof_lines = "old 0\n";
  for (int i = 0; i < 64; ++i) {
    absl::StrAppend(&sixty_four_proof_lines, util::Base64Encode(crypto::Sha256("x")), "\n");
  }
  for (const std::string& body : std::vector<std::string>{
           std::string("hello"), std::string(""), "old 01\n\n" + b_cp, "old -1\n\n" + b_cp,
           "old 0\n" + b_cp, "old 0\nnot base64!\n\n" + b_cp, "old 0\n\nnot a note\n",
           "old 5\n\n" + b_cp, absl::StrCat(sixty_four_proof_lines, "\n", b_cp),
           std::string("old 0\n\n\xff\xfe\n\n\xe2\x80\x94 x y\n")}) {
    SCOPED_TRACE(body);
    ExpectProblem(post(body), 400, "bad-request");
  }
  ExpectUntouchedAndServing();
}

// --- Peers serving garbage or forks --------------------------------------------------

class PeerAbuseTest : public AbuseTest {
 protected:
  // Waits until A's monitor reports B in `state` with `error` in its last error.
  json WaitForPeerState(std::string_view state, std::string_view error = "") {
    json b;
    const bool reached = testing::Eventually([&] {
      b = PeerB();
      return b.is_object() && b["state"] == state &&
             absl::StrContains(b.value("last_error", ""), std::string(error));
    });
    EXPECT_TRUE(reached) << "B never reached state " << state << " (" << error << "): " << b;
    return b;
  }
  // Serves a log of B with `entries` from a new folder; returns the folder.
  std::filesystem::path ServeLog(std::string_view name, const std::vector<std::string>& entries) {
    auto dir = scratch_.path() / std::string(name);
    MakeLog(dir, *b_key_, entries);
    peer_.ServeFolder(dir);
    return dir;
  }
  // Two statements of B addressed to A.
  std::vector<std::string> ToA(int first) {
    return {Incident(kB, *b_key_, first, {kA}), Incident(kB, *b_key_, first + 1, {kA})};
  }
};

TEST_F(PeerAbuseTest, AGarbageCheckpointMakesThePeerInvalid) {
  peer_.Override("checkpoint", "hello\n");
  WaitForPeerState("invalid", "checkpoint");
  ExpectUntouchedAndServing();
}

TEST_F(PeerAbuseTest, GarbageBundlesMakeThePeerInvalidAndNothingEntersTheInbox) {
  ServeLog("b1", ToA(100));
  peer_.Override("tile/entries/000.p/2", std::string("\x00\x05garbage-bytes", 15));
  WaitForPeerState("invalid", "tile/entries/000.p/2");
  EXPECT_EQ(PeerB()["size"], 0);
  ExpectUntouchedAndServing();
}

TEST_F(PeerAbuseTest, BundlesOfAnotherHistoryMakeThePeerInvalid) {
  const auto other = scratch_.path() / "b-other";
  MakeLog(other, *b_key_, ToA(200));
  ServeLog("b1", ToA(100));
  peer_.Override("tile/entries/000.p/2", testing::Slurp(other / "tile/entries/000.p/2"));
  WaitForPeerState("invalid", "do not hash to the checkpoint's root");
  EXPECT_EQ(PeerB()["size"], 0);
  ExpectUntouchedAndServing();
}

TEST_F(PeerAbuseTest, StatementsOfUnknownSignersInAPeersLogAreNotPickedUp) {
  // A log B signed, but whose statements B's key did not sign.
  auto stranger = *note::NewSigner(note::GenerateKey(kB)->private_key);
  ServeLog("b1", {Incident(kB, stranger, 300, {kA}), Incident(kB, stranger, 301, {kA})});
  json b = WaitForPeerState("invalid", "not a valid statement");
  EXPECT_EQ(b["invalid_entries"], 2);
  EXPECT_EQ(b["inbox"], 0);
  ExpectUntouchedAndServing();
}

TEST_F(PeerAbuseTest, AnInconsistentCheckpointIsProvenAndNothingOfTheForkIsTaken) {
  // B's history, followed: two statements for A reach A's inbox.
  ServeLog("b-honest", ToA(400));
  WaitForPeerState("ok");
  ASSERT_TRUE(testing::Eventually([&] { return Inbox().size() == 2; })) << Inbox();
  Remember();
  // Then B shows another history, longer, that does not extend it.
  ServeLog("b-fork", {Incident(kB, *b_key_, 500, {kA}), Incident(kB, *b_key_, 501, {kA}),
                      Incident(kB, *b_key_, 502, {kA})});
  json b = WaitForPeerState("compromised");
  EXPECT_EQ(b["size"], 2);  // still the history it followed
  EXPECT_EQ(b["compromised"]["from_size"], 2) << b;
  EXPECT_EQ(Inbox(), inbox_);  // nothing of the fork
  // The proof is published in A's own log, addressed to B: the one statement written.
  json eq;
  ASSERT_TRUE(testing::Eventually([&] {
    auto r = node_->http().Get("/v1/statements?kind=equivocation");
    if (!r.ok() || r->status != 200) return false;
    eq = json::parse(r->body)["statements"];
    return eq.size() == 1;
  })) << eq;
  EXPECT_EQ(eq[0]["to"], json::array({kB}));
  EXPECT_EQ(testing::LogSize(node_->http()), *size_ + 1);
  ExpectStillServing();
  EXPECT_EQ(PeerB()["state"], "compromised");  // and it stays so
}

TEST_F(PeerAbuseTest, ASameSizeCheckpointWithAnotherRootIsProven) {
  ServeLog("b-honest", ToA(600));
  WaitForPeerState("ok");
  ASSERT_TRUE(testing::Eventually([&] { return Inbox().size() == 2; })) << Inbox();
  Remember();
  ServeLog("b-fork", ToA(700));  // two other statements: same size, another root
  json b = WaitForPeerState("compromised");
  EXPECT_EQ(b["size"], 2);
  EXPECT_EQ(Inbox(), inbox_);
  ASSERT_TRUE(testing::Eventually([&] { return testing::LogSize(node_->http()) == *size_ + 1; }));
  ExpectStillServing();
}

// Hash tiles are read to prove a fork; garbage ones prove nothing and accuse no one.
TEST_F(PeerAbuseTest, GarbageHashTilesAreInvalidAndProveNothing) {
  ServeLog("b-honest", ToA(800));
  WaitForPeerState("ok");
  ASSERT_TRUE(testing::Eventually([&] { return Inbox().size() == 2; })) << Inbox();
  Remember();
  ServeLog("b-fork", {Incident(kB, *b_key_, 900, {kA}), Incident(kB, *b_key_, 901, {kA}),
                      Incident(kB, *b_key_, 902, {kA})});
  std::string garbage(3 * 32, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>(i * 7 + 1);
  peer_.Override("tile/0/000.p/3", garbage);
  json b = WaitForPeerState("invalid", "hash tiles");
  EXPECT_EQ(b["size"], 2);
  EXPECT_FALSE(b.contains("compromised")) << b;
  ExpectUntouchedAndServing();  // no equivocation statement, nothing in the inbox
}

}  // namespace
}  // namespace accord::cli
