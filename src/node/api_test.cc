// The node's HTTP API, driven over real sockets on 127.0.0.1.
#include "src/node/api.h"

#include <gtest/gtest.h>

#include <fstream>
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
    o.node.name = kOrigin;
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
  for (Kind kind : statement::kAllKinds) {
    if (kind == Kind::kEquivocation) continue;  // carries another log's checkpoints
    const std::string envelope = SignedExample(kind, kOrigin, *party_, n);
    auto receipt = client_->Submit(envelope);
    ASSERT_TRUE(receipt.ok()) << statement::KindName(kind) << ": " << receipt.status();
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
  revoke["issued"] = "2026-07-01T00:00:00Z";
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
  ASSERT_EQ(Post(SignedExample(Kind::kRequest, kOrigin, *party_)).status, 201);
  const std::string before = server_->node().log().signed_checkpoint();
  server_.reset();
  std::filesystem::remove(dir_.path() / "data/index.sqlite");  // the index is rebuilt
  Start();
  EXPECT_EQ(server_->node().log().signed_checkpoint(), before);
  EXPECT_EQ(Post(env).status, 200);
  EXPECT_EQ(GetJson("/v1/statements?kind=request")["statements"].size(), 1u);
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

}  // namespace
}  // namespace accord::node
