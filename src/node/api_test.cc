// The node's HTTP API, driven over real sockets on 127.0.0.1.
#include "src/node/api.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "src/http/client.h"
#include "src/log/proof_json.h"
#include "src/log/verify.h"
#include "src/node/audit.h"
#include "src/node/client.h"
#include "src/node/testing.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::node {
namespace {

using nlohmann::json;
using statement::Kind;
using testing::SignedExample;

constexpr char kOrigin[] = "cert.example.ee/log";

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void Start() {
    NodeServerOptions o;
    o.node.data_dir = dir_.path() / "data";
    o.node.key = testing::PartyKeyIn(o.node.data_dir, kOrigin);
    o.node.stores = testing::EmbeddedStoresIn(o.node.data_dir);
    o.node.sequencer.max_delay = absl::Milliseconds(2);
    auto s = NodeServer::Start(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    client_ = *NodeClient::Create(server_->url());
    party_ =
        std::make_unique<note::Ed25519Signer>(testing::KeyFromFile(dir_.path() / "data/party.key"));
    vkey_ = *note::NewVerifier(server_->node().verifier_key());
  }
  http::ClientResponse Post(std::string body) {
    return *client_->http().Post("/v1/statements", std::move(body));
  }
  json GetJson(const std::string& target) {
    auto r = client_->http().Get(target);
    EXPECT_TRUE(r.ok());
    return json::parse(r->body, nullptr, false);
  }
  std::string ProblemType(const http::ClientResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "application/problem+json") << r.body;
    return j.is_object() ? j.value("type", "") : "";
  }

  testing::TempDir dir_;
  std::unique_ptr<NodeServer> server_;
  std::unique_ptr<NodeClient> client_;
  std::unique_ptr<note::Ed25519Signer> party_;
  std::unique_ptr<note::Verifier> vkey_;
};

TEST_F(ApiTest, EveryKindIsAcceptedWithAVerifiableReceiptAndReadBackVerbatim) {
  int n = 0;
  std::map<Kind, statement::Ref> cited;
  for (Kind kind : statement::kAllKinds) {
    if (kind == Kind::kEquivocation) continue;  // carries another log's checkpoints
    const std::string envelope = SignedExample(kind, kOrigin, *party_, n, cited);
    auto receipt = client_->Submit(envelope);
    ASSERT_TRUE(receipt.ok()) << statement::KindName(kind) << ": " << receipt.status();
    cited[kind] = {kOrigin, receipt->index, receipt->leaf_hash, kind};
    EXPECT_EQ(receipt->index, uint64_t(n));
    EXPECT_FALSE(receipt->duplicate);
    EXPECT_TRUE(VerifyReceipt(*receipt, envelope, *vkey_).ok());
    json got = GetJson(absl::StrCat("/v1/statements/", receipt->index));
    EXPECT_EQ(got["envelope"], envelope);  // byte for byte
    EXPECT_EQ(got["kind"], statement::KindName(kind));
    ++n;
  }
  json list = GetJson("/v1/statements?kind=claim");
  ASSERT_EQ(list["statements"].size(), 1u);
  EXPECT_EQ(GetJson("/v1/statements?limit=2")["next"], 1);
  EXPECT_EQ(GetJson("/v1/statements?after=1&limit=1000")["statements"].size(), size_t(n - 2));
  EXPECT_EQ(GetJson("/v1/statements/99999")["status"], 404);
}

TEST_F(ApiTest, DuplicatesReturnTheOriginal) {
  const std::string envelope = SignedExample(Kind::kIncident, kOrigin, *party_);
  auto first = Post(envelope);
  EXPECT_EQ(first.status, 201);
  auto again = Post(envelope);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["index"], json::parse(first.body)["index"]);
  EXPECT_EQ(json::parse(again.body)["duplicate"], true);
}

TEST_F(ApiTest, EveryBadInputClassGetsItsProblem) {
  EXPECT_EQ(ProblemType(Post("not json")), "urn:accord:problem:bad-json");
  // Schema violation, with the pointer of the fault.
  json p = testing::ExamplePayload(Kind::kIncident, kOrigin);
  p["severity"] = 12;
  auto r = Post(*statement::Sign(Kind::kIncident, p.dump(), *party_));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ProblemType(r), "urn:accord:problem:schema-violation");
  EXPECT_EQ(json::parse(r.body)["pointer"], "/payload/severity") << r.body;
  // Another party's issuer.
  r = Post(SignedExample(Kind::kIncident, "cert.example.lv/log", *party_));
  EXPECT_EQ(ProblemType(r), "urn:accord:problem:wrong-issuer");
  // A stranger's key.
  auto stranger = *note::NewSigner(note::GenerateKey("stranger.example/key")->private_key);
  r = Post(SignedExample(Kind::kIncident, kOrigin, stranger));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(ProblemType(r), "urn:accord:problem:unknown-signer");
  // The party's keyid over a signature that does not verify.
  auto env = *statement::ParseEnvelope(SignedExample(Kind::kIncident, kOrigin, *party_));
  env.signatures[0].sig[0] ^= 1;
  r = Post(statement::SerializeEnvelope(env));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ProblemType(r), "urn:accord:problem:bad-signature");
  // Dated a day ahead: clocks differ, but not by that much.
  auto future = testing::ExamplePayload(Kind::kIncident, kOrigin);
  future["issued"] =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Hours(24), absl::UTCTimeZone());
  r = Post(*statement::Sign(Kind::kIncident, future.dump(), *party_));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ProblemType(r), "urn:accord:problem:future-dated");
  // Too large, and routing faults.
  EXPECT_EQ(Post(std::string(70000, 'x')).status, 413);
  EXPECT_EQ(client_->http().Get("/v1/nothing")->status, 404);
  auto del = client_->http().Do({.method = "DELETE", .target = "/v1/statements"});
  EXPECT_EQ(del->status, 405);
  EXPECT_EQ(client_->http().Get("/v1/proofs/inclusion?index=abc")->status, 400);
  EXPECT_EQ(client_->http().Get("/v1/statements?limit=0")->status, 400);
  EXPECT_EQ(server_->node().log().size(), 0u);  // nothing was written
}

TEST_F(ApiTest, OfficersSignOnlyWhileAuthorisedAndAcrossRestarts) {
  auto pair = *note::GenerateKey("cert.example.ee/officer/ana");
  auto officer = *note::NewSigner(pair.private_key);
  EXPECT_EQ(Post(SignedExample(Kind::kIncident, kOrigin, officer, 1)).status, 403);
  json auth = testing::ExamplePayload(Kind::kOfficer, kOrigin, 2);
  auth["action"] = "authorize";
  auth["key"] = pair.verifier_key;
  // An officer cannot authorise itself; the party can.
  EXPECT_EQ(Post(*statement::Sign(Kind::kOfficer, auth.dump(), officer)).status, 403);
  EXPECT_EQ(Post(*statement::Sign(Kind::kOfficer, auth.dump(), *party_)).status, 201);
  EXPECT_EQ(Post(SignedExample(Kind::kIncident, kOrigin, officer, 3)).status, 201);
  server_.reset();
  Start();
  EXPECT_EQ(Post(SignedExample(Kind::kIncident, kOrigin, officer, 4)).status, 201);
  json revoke = auth;
  revoke["action"] = "revoke";
  revoke["issued"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  EXPECT_EQ(Post(*statement::Sign(Kind::kOfficer, revoke.dump(), *party_)).status, 201);
  EXPECT_EQ(Post(SignedExample(Kind::kIncident, kOrigin, officer, 5)).status, 403);
  // An auditor reading only the published log agrees.
  auto storage = *HttpLogStorage::Create(server_->url());
  auto log = *log::Log::OpenReadOnly(std::move(storage), *vkey_);
  auto validator = *statement::Validator::Create();
  auto audit = AuditLog(*log, *vkey_, *validator, 0, log->size());
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_EQ(audit->statements, 4u);
  const std::string officer_keyid = statement::KeyId(**note::NewVerifier(pair.verifier_key));
  EXPECT_EQ(audit->by_signer[officer_keyid], 2u) << ::testing::PrintToString(audit->by_signer);
}

TEST_F(ApiTest, RefsMustCiteWhatTheySay) {
  const std::string incident = SignedExample(Kind::kIncident, kOrigin, *party_);
  ASSERT_EQ(Post(incident).status, 201);
  const statement::Ref right{kOrigin, 0, statement::LeafHashOf(incident), Kind::kIncident};
  auto request_citing = [&](const statement::Ref& ref, int nonce) {
    json p = testing::ExamplePayload(Kind::kRequest, kOrigin, nonce);
    p["refs"] = json::array({{{"origin", ref.origin},
                              {"index", ref.index},
                              {"leaf_hash", util::Base64Encode(ref.leaf_hash)},
                              {"kind", statement::KindName(ref.kind.value_or(Kind::kIncident))}}});
    return *statement::Sign(Kind::kRequest, p.dump(), *party_);
  };
  statement::Ref zero = right, missing = right, kind = right, foreign = right;
  zero.leaf_hash = {};
  missing.index = 7;
  kind.kind = Kind::kEvidence;
  foreign.origin = "cert.elsewhere.example/log";
  int nonce = 1;
  for (const statement::Ref& bad : {zero, missing, kind}) {
    auto r = Post(request_citing(bad, nonce++));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(ProblemType(r), "urn:accord:problem:bad-ref") << r.body;
  }
  // A node with no directory follows no other log: it cannot check the ref, and says so.
  auto r = Post(request_citing(foreign, nonce++));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(ProblemType(r), "urn:accord:problem:unresolved-ref") << r.body;
  EXPECT_TRUE(r.headers.Has("Retry-After"));
  EXPECT_EQ(server_->node().log().size(), 1u);  // nothing of these was appended
  EXPECT_EQ(Post(request_citing(right, nonce++)).status, 201);
}

TEST_F(ApiTest, ConcurrentClientsAllGetDistinctDurableIndices) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::vector<std::set<uint64_t>> seen(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = *NodeClient::Create(server_->url());
      for (int i = 0; i < kEach; ++i) {
        const std::string env = SignedExample(Kind::kIncident, kOrigin, *party_, t * 1000 + i);
        auto r = c->Submit(env);
        ASSERT_TRUE(r.ok()) << r.status();
        ASSERT_TRUE(VerifyReceipt(*r, env, *vkey_).ok());
        seen[t].insert(r->index);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& s : seen) all.insert(s.begin(), s.end());
  EXPECT_EQ(all.size(), size_t{kThreads * kEach});
  auto storage = *HttpLogStorage::Create(server_->url());
  auto report = log::VerifyLog(*storage, *vkey_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->checkpoint.size, uint64_t{kThreads * kEach});
}

TEST_F(ApiTest, ServesC2spPathsOnlyForTheCommittedTree) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Post(SignedExample(Kind::kIncident, kOrigin, *party_, i)).status, 201);
  }
  auto cp = client_->http().Get("/checkpoint");
  EXPECT_EQ(cp->status, 200);
  EXPECT_TRUE(cp->body.starts_with(absl::StrCat(kOrigin, "\n3\n")));
  EXPECT_EQ(client_->http().Get("/tile/0/000.p/3")->status, 200);
  EXPECT_EQ(client_->http().Get("/tile/entries/000.p/3")->status, 200);
  EXPECT_EQ(client_->http().Get("/tile/0/000.p/4")->status, 404);
  EXPECT_EQ(client_->http().Get("/tile/0/000")->status, 404);
  EXPECT_EQ(client_->http().Get("/tile/0/../../etc/passwd")->status, 400);  // dot segments
  EXPECT_EQ(client_->http().Get("/tile/0/x000/001")->status, 404);          // non-canonical
  EXPECT_EQ(client_->http().Get("/vkey")->body, server_->node().verifier_key() + "\n");
  EXPECT_EQ(GetJson("/healthz")["size"], 3);
  const std::string metrics = client_->http().Get("/metrics")->body;
  EXPECT_NE(metrics.find("accord_log_size 3"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("accord_statements_submitted_total{result=\"appended\"} 3"),
            std::string::npos);
  // Proofs the node serves verify against its signed checkpoint.
  auto inc = log::ParseProofJson(client_->http().Get("/v1/proofs/inclusion?index=1")->body);
  ASSERT_TRUE(inc.ok()) << inc.status();
  EXPECT_TRUE(log::VerifyProofDoc(*inc, vkey_.get()).ok());
  auto cons = log::ParseProofJson(client_->http().Get("/v1/proofs/consistency?from=1")->body);
  ASSERT_TRUE(cons.ok());
  EXPECT_TRUE(log::VerifyProofDoc(*cons, vkey_.get()).ok());
}

TEST_F(ApiTest, RestartKeepsEverythingAndStillRecognisesDuplicates) {
  const std::string env = SignedExample(Kind::kIncident, kOrigin, *party_);
  ASSERT_EQ(Post(env).status, 201);
  const std::map<Kind, statement::Ref> incident = {
      {Kind::kIncident, {kOrigin, 0, statement::LeafHashOf(env), Kind::kIncident}}};
  ASSERT_EQ(Post(SignedExample(Kind::kRequest, kOrigin, *party_, 0, incident)).status, 201);
  const std::string before = server_->node().log().signed_checkpoint();
  server_.reset();
  std::filesystem::remove(dir_.path() / "data/index.sqlite");  // the index is rebuilt
  Start();
  EXPECT_EQ(server_->node().log().signed_checkpoint(), before);
  EXPECT_EQ(Post(env).status, 200);
  EXPECT_EQ(GetJson("/v1/statements?kind=request")["statements"].size(), 1u);
}

// Query integers are digits within the field's bound (a log position is at
// most 2^63 - 1, where the stores' signed integers end: 2^63 used to wrap to -2^63 and
// list everything); a parameter repeated, empty or unknown is refused, never resolved.
TEST_F(ApiTest, QueryParametersAreStrict) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Post(SignedExample(Kind::kIncident, kOrigin, *party_, i)).status, 201);
  }
  const auto problem = [&](const std::string& target) {
    auto r = client_->http().Get(target);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 400) << target << ": " << r->body;
    EXPECT_EQ(ProblemType(*r), "urn:accord:problem:invalid-argument") << target;
    return json::parse(r->body, nullptr, false).value("detail", "");
  };
  EXPECT_EQ(problem("/v1/statements?after=9223372036854775808"),
            "query parameter \"after\": not a decimal integer in [0, 9223372036854775807]");
  for (const std::string target : {"/v1/statements?after=18446744073709551616",
                                   "/v1/statements?after=-1",
                                   "/v1/statements?after=%2B1",
                                   "/v1/statements?after=%201",
                                   "/v1/statements?after=01",
                                   "/v1/statements?after=",
                                   "/v1/statements?limit=0",
                                   "/v1/statements?limit=1001",
                                   "/v1/statements?limit=1&limit=1",
                                   "/v1/statements?kind=claim&kind=incident",
                                   "/v1/statements?kindd=claim",
                                   "/v1/statements?kind=",
                                   "/v1/statements?issuer",
                                   "/v1/statements?ref=cert.example.ee/log:9223372036854775808",
                                   "/v1/statements?ref=cert.example.ee/log:-1",
                                   "/v1/statements?ref=:1",
                                   "/v1/statements/9223372036854775808",
                                   "/v1/statements/%2B1",
                                   "/v1/statements/01",
                                   "/v1/proofs/inclusion?index=0&size=18446744073709551616",
                                   "/v1/proofs/inclusion?index=0&index=1",
                                   "/v1/proofs/inclusion?index=0&from=1",
                                   "/v1/proofs/consistency?from=1&to=9223372036854775808",
                                   "/v1/proofs/consistency?from=1&from=2",
                                   "/checkpoint?x=1",
                                   "/tile/0/000.p/3?x=1",
                                   "/healthz?verbose",
                                   "/vkey?a=b"}) {
    SCOPED_TRACE(target);
    EXPECT_FALSE(problem(target).empty());
  }
  // At the bound, a cursor is a cursor: nothing after it.
  EXPECT_EQ(GetJson("/v1/statements?after=9223372036854775807")["statements"].size(), 0u);
  EXPECT_EQ(GetJson("/v1/statements?after=0&limit=1000")["statements"].size(), 2u);
  EXPECT_EQ(GetJson("/v1/statements/9223372036854775807")["status"], 404);
  EXPECT_EQ(server_->node().log().size(), 3u);
}

// An officer decision takes effect at its position in the log, not when its batch is
// durable: a statement queued after a revocation is judged with it, so a log can never
// hold a revoked officer's statement after the revocation (which every verifier would
// call invalid), however the submissions race.
TEST(NodeOrder, AStatementQueuedAfterARevocationIsJudgedWithIt) {
  testing::TempDir dir;
  NodeOptions o;
  o.data_dir = dir.path() / "data";
  o.key = testing::PartyKeyIn(o.data_dir, kOrigin);
  o.stores = testing::EmbeddedStoresIn(o.data_dir);
  o.sequencer.max_delay = absl::Seconds(2);  // batches wait: everything below is queued
  o.sequencer.max_batch = 64;
  auto node = Node::Open(o);
  ASSERT_TRUE(node.ok()) << node.status();
  auto party = testing::KeyFromFile(o.data_dir / "party.key");
  auto pair = *note::GenerateKey("cert.example.ee/officer/ana");
  auto officer = *note::NewSigner(pair.private_key);
  json auth = testing::ExamplePayload(Kind::kOfficer, kOrigin, 1);
  auth["action"] = "authorize";
  auth["key"] = pair.verifier_key;
  auth.erase("valid_until");
  json revoke = auth;
  revoke["action"] = "revoke";
  revoke["issued"] = testing::ExamplePayload(Kind::kOfficer, kOrigin, 3)["issued"];
  std::vector<std::future<absl::StatusOr<SubmitResult>>> results;
  auto submit = [&](std::string envelope) {
    auto p = std::make_shared<std::promise<absl::StatusOr<SubmitResult>>>();
    results.push_back(p->get_future());
    absl::Status s = (*node)->Submit(
        std::move(envelope), [p](absl::StatusOr<SubmitResult> r) { p->set_value(std::move(r)); });
    if (!s.ok()) p->set_value(s);
    return s;
  };
  EXPECT_TRUE(submit(*statement::Sign(Kind::kOfficer, auth.dump(), party)).ok());
  // Queued after the authorisation (not yet durable): the officer may sign.
  EXPECT_TRUE(submit(SignedExample(Kind::kIncident, kOrigin, officer, 2)).ok());
  EXPECT_TRUE(submit(*statement::Sign(Kind::kOfficer, revoke.dump(), party)).ok());
  // Queued after the revocation: refused at once.
  absl::Status after = submit(SignedExample(Kind::kIncident, kOrigin, officer, 4));
  EXPECT_TRUE(absl::IsPermissionDenied(after)) << after;
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(results[i].get().ok()) << i;
  EXPECT_EQ((*node)->log().size(), 3u);
  auto validator = *statement::Validator::Create();
  auto verifier = *note::NewVerifier((*node)->verifier_key());
  auto audit = AuditLog((*node)->log(), *verifier, *validator, 0, (*node)->log().size());
  EXPECT_TRUE(audit.ok()) << audit.status();
}

// Times before year 1000 are no statement's (they would be served back as "999-…", no
// RFC 3339); a time the node accepts lies inside its intake window, so that the other
// parties can start a procedure's clock from it.
TEST_F(ApiTest, IssuedTimesOutsideTheIntakeWindowAreRefused) {
  json p = testing::ExamplePayload(Kind::kIncident, kOrigin);
  p["issued"] = "0999-12-31T23:59:59Z";
  auto r = Post(*statement::Sign(Kind::kIncident, p.dump(), *party_));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ProblemType(r), "urn:accord:problem:schema-violation");
  EXPECT_EQ(json::parse(r.body)["pointer"], "/payload/issued") << r.body;
  const auto at = [](absl::Duration ago) {
    return absl::FormatTime("%E4Y-%m-%dT%H:%M:%SZ", absl::Now() - ago, absl::UTCTimeZone());
  };
  for (const std::string& old : {std::string("1000-01-01T00:00:00Z"), at(absl::Hours(24 * 30)),
                                 at(kDefaultMaxStatementAge + absl::Minutes(1))}) {
    p["issued"] = old;
    r = Post(*statement::Sign(Kind::kIncident, p.dump(), *party_));
    EXPECT_EQ(r.status, 400) << old;
    EXPECT_EQ(ProblemType(r), "urn:accord:problem:backdated") << r.body;
  }
  EXPECT_EQ(server_->node().log().size(), 0u);
  // Inside the window, either side of the node's clock.
  p["issued"] = at(kDefaultMaxStatementAge - absl::Minutes(1));
  EXPECT_EQ(Post(*statement::Sign(Kind::kIncident, p.dump(), *party_)).status, 201);
  p["issued"] = at(-(kMaxFutureSkew - absl::Minutes(1)));
  EXPECT_EQ(Post(*statement::Sign(Kind::kIncident, p.dump(), *party_)).status, 201);
  EXPECT_EQ(server_->node().log().size(), 2u);
}

// A read route that cannot read what the checkpoint covers answers 503
// storage-failure naming it in the log's terms; the data folder's path goes to standard
// error, once, and never to the client.
TEST_F(ApiTest, StorageFailuresOnReadPathsNameNoPath) {
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(Post(SignedExample(Kind::kIncident, kOrigin, *party_, i)).status, 201);
  }
  const std::filesystem::path log_dir = dir_.path() / "data/log";
  const std::string folder = dir_.path().string();
  const auto expect_storage_failure = [&](const std::string& target, const std::string& detail) {
    SCOPED_TRACE(target);
    auto r = client_->http().Get(target);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 503) << r->body;
    EXPECT_EQ(ProblemType(*r), "urn:accord:problem:storage-failure");
    EXPECT_EQ(json::parse(r->body).value("detail", ""), detail) << r->body;
    EXPECT_EQ(r->body.find(folder), std::string::npos) << r->body;
  };
  // A partial tile of an earlier tree may be gone (the log deletes them once full): 404.
  EXPECT_EQ(client_->http().Get("/tile/0/000.p/1")->status, 200);
  std::filesystem::remove(log_dir / "tile/0/000.p/1");
  auto gone = client_->http().Get("/tile/0/000.p/1");
  EXPECT_EQ(gone->status, 404);
  EXPECT_NE(gone->body.find("tile/0/000.p/2"), std::string::npos) << gone->body;
  EXPECT_EQ(gone->body.find(folder), std::string::npos) << gone->body;
  // A tile of the current tree may not.
  std::filesystem::remove(log_dir / "tile/0/000.p/2");
  ::testing::internal::CaptureStderr();
  const std::string missing =
      "tile/0/000.p/2 is missing from the node's storage; the node's operator has been told";
  expect_storage_failure("/tile/0/000.p/2", missing);
  expect_storage_failure("/tile/0/000.p/2", missing);  // asked again
  // Entries: the bundle of the current tree gone, or damaged.
  std::filesystem::remove(log_dir / "tile/entries/000.p/2");
  expect_storage_failure(
      "/v1/statements/1",
      "statement 1 is missing from the node's storage; the node's operator has been told");
  expect_storage_failure(
      "/v1/proofs/inclusion?index=1",
      "entry 1 is missing from the node's storage; the node's operator has been told");
  std::ofstream(log_dir / "tile/entries/000.p/2") << "damaged";
  expect_storage_failure(
      "/v1/statements/0",
      "statement 0 is corrupt in the node's storage; the node's operator has been told");
  const std::string err = ::testing::internal::GetCapturedStderr();
  // Each cause once, with the file it is about, for the operator.
  const std::string tile_cause = (log_dir / "tile/0/000.p/2").string();
  const size_t first = err.find("reading the log failed: tile/0/000.p/2: NOT_FOUND");
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("reading the log failed: tile/0/000.p/2:", first + 1), std::string::npos)
      << err;
  EXPECT_NE(err.find(tile_cause), std::string::npos) << err;
  EXPECT_NE(err.find("reading the log failed: statement 1: NOT_FOUND"), std::string::npos) << err;
  EXPECT_NE(err.find("reading the log failed: statement 0: DATA_LOSS"), std::string::npos) << err;
  // Still a 404 for what the checkpoint does not cover, and a 400 for a bad request.
  EXPECT_EQ(client_->http().Get("/v1/statements/2")->status, 404);
  EXPECT_EQ(client_->http().Get("/v1/proofs/inclusion?index=2")->status, 400);
  EXPECT_EQ(client_->http().Get("/v1/proofs/inclusion?index=0&size=3")->status, 400);
  EXPECT_EQ(client_->http().Get("/v1/proofs/consistency?from=3")->status, 400);
  EXPECT_EQ(client_->http().Get("/tile/0/000.p/3")->status, 404);
}

// The same for tiles a proof needs that are not in the log's memory: a log of 257
// entries, indexed, then restarted without its first full tile and bundle (which opening
// does not read: only the right edge is checked against the signed root).
TEST_F(ApiTest, StorageFailuresInProofsNameNoPath) {
  std::vector<std::string> entries;
  for (int i = 0; i < 257; ++i)
    entries.push_back(SignedExample(Kind::kIncident, kOrigin, *party_, i));
  std::vector<std::span<const uint8_t>> views;
  for (const std::string& e : entries) views.push_back(util::AsBytes(e));
  ASSERT_TRUE(server_->node().log().Append(views).ok());
  server_.reset();
  Start();  // indexes what was appended behind the sequencer's back
  server_.reset();
  const std::filesystem::path log_dir = dir_.path() / "data/log";
  std::filesystem::remove(log_dir / "tile/0/000");
  std::filesystem::remove(log_dir / "tile/entries/000");
  Start();
  ASSERT_EQ(server_->node().log().size(), 257u);
  const std::string folder = dir_.path().string();
  ::testing::internal::CaptureStderr();
  for (const auto& [target, detail] : std::vector<std::pair<std::string, std::string>>{
           {"/tile/0/000", "tile/0/000 is missing from the node's storage"},
           {"/tile/entries/000", "tile/entries/000 is missing from the node's storage"},
           {"/v1/proofs/consistency?from=1",
            "a tile of the consistency proof from 1 to 257 is missing from the node's storage"},
           {"/v1/proofs/inclusion?index=3",
            "a tile of the inclusion proof of 3 in 257 is missing from the node's storage"},
           {"/v1/statements/0", "statement 0 is missing from the node's storage"}}) {
    SCOPED_TRACE(target);
    auto r = client_->http().Get(target);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 503) << r->body;
    EXPECT_EQ(ProblemType(*r), "urn:accord:problem:storage-failure");
    EXPECT_EQ(json::parse(r->body).value("detail", ""),
              detail + "; the node's operator has been told");
    EXPECT_EQ(r->body.find(folder), std::string::npos) << r->body;
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find((log_dir / "tile/0/000").string()), std::string::npos) << err;
  // The full tile's partials are gone too, as C2SP allows: 404, no failure.
  EXPECT_EQ(client_->http().Get("/tile/0/000.p/5")->status, 404);
  // What needs only the right edge is still served.
  EXPECT_EQ(client_->http().Get("/v1/statements/256")->status, 200);
  EXPECT_EQ(client_->http().Get("/v1/proofs/inclusion?index=256")->status, 200);
  EXPECT_EQ(client_->http().Get("/tile/0/001.p/1")->status, 200);
}

// Every route the server has is in docs/openapi.yaml, and the reverse.
TEST_F(ApiTest, OpenApiDocumentsExactlyTheRoutes) {
  const auto documented = testing::DocumentedRoutes(/*federated=*/false);
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& r : server_->Routes()) served.insert({r.method, r.pattern});
  EXPECT_EQ(documented, served);
}

// Found by the proof fuzz target: a "duplicate" that is not a boolean threw out of
// ParseReceipt (nlohmann's value()) and aborted the client.
TEST(ParseReceipt, RefusesAMistypedDuplicate) {
  const std::string hash = util::Base64Encode(tlog::Hash{});
  const auto receipt = [&](std::string_view duplicate) {
    return absl::StrCat(R"({"index":0,"leaf_hash":")", hash, R"(","tree_size":1,)",
                        R"("checkpoint":"x","inclusion_proof":[])", std::string(duplicate), "}");
  };
  for (std::string_view bad :
       {R"(,"duplicate":null)", R"(,"duplicate":"no")", R"(,"duplicate":1)"}) {
    auto r = ParseReceipt(receipt(bad));
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << bad << ": " << r.status();
  }
  auto ok = ParseReceipt(receipt(R"(,"duplicate":true)"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(ok->duplicate);
  ASSERT_TRUE(ParseReceipt(receipt("")).ok());
  EXPECT_FALSE(ParseReceipt(receipt(""))->duplicate);
}

// A node's answer is read with the strict reader (src/util/json.h): two
// "index" members, or a second document after a NUL, are no receipt.
TEST(ParseReceipt, IsStrictJson) {
  const std::string hash = util::Base64Encode(tlog::Hash{});
  const std::string good =
      absl::StrCat(R"({"index":0,"leaf_hash":")", hash,
                   R"(","tree_size":1,"checkpoint":"x","inclusion_proof":[]})");
  ASSERT_TRUE(ParseReceipt(good).ok());
  for (const std::string& bad :
       {absl::StrCat(R"({"index":5,)", good.substr(1)),
        absl::StrCat(good, std::string(1, '\0'), good), absl::StrCat("\xEF\xBB\xBF", good)}) {
    auto r = ParseReceipt(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
    EXPECT_NE(r.status().message().find("malformed receipt: "), std::string::npos);
  }
}

}  // namespace
}  // namespace accord::node
