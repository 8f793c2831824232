// The body routes over a real http::Server on 127.0.0.1: who may store, who may read,
// what a denial reveals, and the access record made before any copy leaves.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/casework/bodies_api.h"
#include "src/casework/confidential.h"
#include "src/http/client.h"
#include "src/http/testing.h"
#include "src/statement/testing.h"
#include "src/util/encoding.h"

namespace accord::casework {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kA[] = "cert.a.example/log";  // the serving node's party, the issuer
constexpr char kB[] = "cert.b.example/log";  // an addressee
constexpr char kC[] = "cert.c.example/log";  // another addressee
constexpr char kD[] = "cert.d.example/log";  // a party the statement is not addressed to
constexpr char kParty[] = "X-Test-Party";

// Trusts a header naming the party: a stand-in for RFC 9421 message signatures.
class TestAuthenticator : public RequestAuthenticator {
 public:
  absl::StatusOr<std::string> Authenticate(const http::Request& r) const override {
    auto who = r.headers.Get(kParty);
    if (!who) return absl::UnauthenticatedError("no valid message signature");
    if (*who == "busy") return absl::UnavailableError("the replay cache is full");
    if (*who == "broken") return absl::InternalError("directory lookup: /etc/secret failed");
    return std::string(*who);
  }
};

// Records accesses; fails or holds them back on demand.
class Recorder {
 public:
  enum class Mode { kDurable, kFail, kHold };
  void Record(const AccessRecord& r, std::function<void(absl::Status)> done) {
    absl::MutexLock lock(&mu_);
    if (mode_ == Mode::kFail) {
      done(absl::UnavailableError("log is down"));
      return;
    }
    records_.push_back(r);
    if (mode_ == Mode::kHold) {
      held_.push_back(std::move(done));
      return;
    }
    done(absl::OkStatus());
  }
  void set_mode(Mode m) {
    absl::MutexLock lock(&mu_);
    mode_ = m;
  }
  std::vector<AccessRecord> records() {
    absl::MutexLock lock(&mu_);
    return records_;
  }
  size_t held() {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }
  void Release() {
    std::vector<std::function<void(absl::Status)>> held;
    {
      absl::MutexLock lock(&mu_);
      held.swap(held_);
    }
    for (auto& d : held) d(absl::OkStatus());
  }

 private:
  absl::Mutex mu_;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kDurable;
  std::vector<AccessRecord> records_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void(absl::Status)>> held_ ABSL_GUARDED_BY(mu_);
};

class BodiesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / absl::StrCat("accord-bodies-api-", rd(), "-", rd());
    fs::create_directories(dir_);
    store_ = std::make_unique<BodyStore>(std::make_unique<store::FolderBodyStorage>(
        dir_ / "bodies", [this](std::string_view step, const fs::path& path) {
          return fault_ ? fault_(step, path) : absl::OkStatus();
        }));
    body_ = *MakeBody({{"facts", "breaker commands from 198.51.100.23"},
                       {"contacts", {{{"name", "A. Analyst"}}}}});
    statement_.origin = kA;
    statement_.index = 7;
    statement_.leaf_hash.fill(0x5a);
    statement_.kind = statement::Kind::kRequest;
    statement_.addressees = {kB, kC};
    statement_.legal_basis = {"Budapest Art. 29", "Budapest Art. 35"};

    BodiesApiOptions o;
    o.origin = kA;
    o.store = store_.get();
    o.authenticator = &auth_;
    o.lookup = [this](std::string_view c) -> absl::StatusOr<std::vector<CommittedStatement>> {
      if (c == body_.commitment || c == unstored_) return std::vector{statement_};
      return std::vector<CommittedStatement>{};
    };
    o.record_access = [this](const AccessRecord& r, std::function<void(absl::Status)> done) {
      recorder_.Record(r, std::move(done));
    };
    o.clock = [] { return absl::FromUnixSeconds(1773561900); };  // 2026-03-15T08:05:00Z
    o.metrics = &metrics_;
    http::Router router;
    api_ = BodiesApi::Register(router, std::move(o));
    server_ = http::testing::StartServer(std::move(router));
    client_ = *http::Client::Create(absl::StrCat("http://127.0.0.1:", server_->port()));
  }
  void TearDown() override {
    server_->Stop();
    api_->Stop();
    fs::remove_all(dir_);
  }

  http::ClientResponse Do(std::string method, std::string_view commitment, const std::string& party,
                          std::string body = "") {
    http::ClientRequest r;
    r.method = std::move(method);
    r.target = absl::StrCat("/v1/bodies/", std::string(commitment));
    if (!party.empty()) r.headers.Set(kParty, party);
    r.body = std::move(body);
    if (!r.body.empty()) r.headers.Set("Content-Type", "application/json");
    auto resp = client_->Do(r);
    EXPECT_TRUE(resp.ok()) << resp.status();
    return resp.ok() ? *resp : http::ClientResponse{};
  }
  http::ClientResponse PutCopies() {
    return Do("PUT", body_.commitment, kA,
              PutBodiesRequest({{kB, *Seal(body_.plaintext, b_.public_key())},
                                {kC, *Seal(body_.plaintext, c_.public_key())}}));
  }

  fs::path dir_;
  TestAuthenticator auth_;
  Recorder recorder_;
  http::Registry metrics_;
  store::FaultInjector fault_;  // of store_'s writes; none unless a test sets one
  std::unique_ptr<BodyStore> store_;
  Body body_;
  const std::string unstored_ = std::string(64, 'e');  // committed, no body stored
  CommittedStatement statement_;
  BoxKeyPair b_ = BoxKeyPair::Generate(), c_ = BoxKeyPair::Generate();
  std::unique_ptr<BodiesApi> api_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Client> client_;
};

TEST_F(BodiesApiTest, AddresseeGetsItsCopyAndTheAccessIsRecorded) {
  auto put = PutCopies();
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(json::parse(put.body)["stored"], json({kB, kC}));
  EXPECT_TRUE(recorder_.records().empty());  // storing is no access

  auto get = Do("GET", body_.commitment, kB);
  ASSERT_EQ(get.status, 200) << get.body;
  json j = json::parse(get.body);
  EXPECT_EQ(j["addressee"], kB);
  EXPECT_EQ(j["commitment"], body_.commitment);
  EXPECT_EQ(j["statement"]["index"], 7);
  auto sealed = util::Base64Decode(j["sealed"].get<std::string>());
  ASSERT_TRUE(sealed);
  auto plaintext = Open(util::AsChars(*sealed), b_);
  ASSERT_TRUE(plaintext.ok()) << plaintext.status();
  EXPECT_TRUE(VerifyCommitment(*plaintext, body_.commitment).ok());
  EXPECT_FALSE(Open(util::AsChars(*sealed), c_).ok());  // B's copy is B's only

  auto records = recorder_.records();
  ASSERT_EQ(records.size(), 1u);
  const AccessRecord& r = records[0];
  EXPECT_EQ(r.issuer, kA);
  EXPECT_EQ(r.accessor, kB);
  EXPECT_EQ(r.commitment, body_.commitment);
  EXPECT_EQ(r.statement.index, 7u);
  EXPECT_EQ(r.statement.leaf_hash, statement_.leaf_hash);
  EXPECT_EQ(r.when, absl::FromUnixSeconds(1773561900));
  EXPECT_EQ(r.legal_basis, statement_.legal_basis);

  // C reads its own copy; one more record.
  auto get_c = Do("GET", body_.commitment, kC);
  ASSERT_EQ(get_c.status, 200);
  EXPECT_EQ(recorder_.records().size(), 2u);
  EXPECT_EQ(recorder_.records()[1].accessor, kC);
}

TEST_F(BodiesApiTest, AccessPayloadIsAValidAccessStatement) {
  AccessRecord r{kA,
                 kB,
                 body_.commitment,
                 statement_,
                 absl::FromUnixSeconds(1773561900),
                 statement_.legal_basis};
  auto validator = statement::Validator::Create();
  ASSERT_TRUE(validator.ok());
  const std::string envelope = *statement::Sign(statement::Kind::kAccess, AccessPayload(r),
                                                statement::testing::TestSigner(kA));
  auto s = (*validator)->Parse(envelope);
  ASSERT_TRUE(s.ok()) << s.status() << "\n" << AccessPayload(r);
  EXPECT_EQ(s->kind, statement::Kind::kAccess);
  EXPECT_EQ(s->issuer, kA);
  EXPECT_EQ(s->issued, absl::FromUnixSeconds(1773561900));
  EXPECT_EQ(s->addressees, std::vector<std::string>{kB});
  ASSERT_EQ(s->refs.size(), 1u);
  EXPECT_EQ(s->refs[0].origin, kA);
  EXPECT_EQ(s->refs[0].index, 7u);
  EXPECT_EQ(s->refs[0].leaf_hash, statement_.leaf_hash);
  EXPECT_EQ(s->refs[0].kind, statement::Kind::kRequest);
  EXPECT_FALSE(s->private_commitment.has_value());
  EXPECT_EQ(s->payload["accessed_by"]["id"], kB);
  EXPECT_EQ(s->payload["legal_basis"], json(statement_.legal_basis));
  EXPECT_NE(s->payload["target"]["description"].get<std::string>().find(body_.commitment),
            std::string::npos);
  EXPECT_EQ(s->payload["issued"], "2026-03-15T08:05:00.000000Z");

  // Without a legal basis from the statement, and without a kind, it is still valid.
  r.legal_basis.clear();
  r.statement.kind.reset();
  auto plain = (*validator)
                   ->Parse(*statement::Sign(statement::Kind::kAccess, AccessPayload(r),
                                            statement::testing::TestSigner(kA)));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->payload["legal_basis"], json({kDefaultLegalBasis}));
}

TEST_F(BodiesApiTest, NonAddresseeIsDeniedAndLearnsNothing) {
  ASSERT_EQ(PutCopies().status, 201);
  const std::string unknown = std::string(64, '1');
  auto existing = Do("GET", body_.commitment, kD);
  auto committed_unstored = Do("GET", unstored_, kD);
  auto never_heard = Do("GET", unknown, kD);
  for (const auto* r : {&existing, &committed_unstored, &never_heard}) {
    EXPECT_EQ(r->status, 403);
    EXPECT_EQ(r->headers.Get("Content-Type").value_or(""), "application/problem+json");
  }
  EXPECT_EQ(existing.body, never_heard.body);
  EXPECT_EQ(existing.body, committed_unstored.body);
  EXPECT_EQ(existing.headers.Get("Content-Length"), never_heard.headers.Get("Content-Length"));
  EXPECT_EQ(existing.body.find(body_.commitment), std::string::npos);
  EXPECT_EQ(existing.body.find(kB), std::string::npos);
  EXPECT_EQ(existing.body.find(kD), std::string::npos);
  // The issuer itself is no addressee either.
  EXPECT_EQ(Do("GET", body_.commitment, kA).body, existing.body);
  EXPECT_TRUE(recorder_.records().empty());
  // Metrics carry fixed words only.
  const std::string exposition = metrics_.Render();
  EXPECT_EQ(exposition.find(body_.commitment), std::string::npos);
  EXPECT_EQ(exposition.find("cert."), std::string::npos);
  EXPECT_NE(exposition.find("result=\"denied\""), std::string::npos);
}

TEST_F(BodiesApiTest, AddresseeWithoutAStoredCopyGets404) {
  auto r = Do("GET", unstored_, kB);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_TRUE(recorder_.records().empty());
}

TEST_F(BodiesApiTest, UnauthenticatedGets401) {
  ASSERT_EQ(PutCopies().status, 201);
  EXPECT_EQ(Do("GET", body_.commitment, "").status, 401);
  EXPECT_EQ(Do("GET", std::string(64, '1'), "").status, 401);
  auto put = Do("PUT", body_.commitment, "",
                PutBodiesRequest({{kB, *Seal(body_.plaintext, b_.public_key())}}));
  EXPECT_EQ(put.status, 401);
  EXPECT_TRUE(recorder_.records().empty());
}

// What the authenticator cannot decide now is retried, not refused; its own faults do
// not reach the client.
TEST_F(BodiesApiTest, AnAuthenticatorThatCannotDecideIs503AndItsFaults500) {
  ASSERT_EQ(PutCopies().status, 201);
  auto busy = Do("GET", body_.commitment, "busy", "");
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_TRUE(busy.headers.Get("Retry-After").has_value());
  auto broken = Do("GET", body_.commitment, "broken", "");
  EXPECT_EQ(broken.status, 500) << broken.body;
  EXPECT_EQ(broken.body.find("/etc/secret"), std::string::npos) << broken.body;
  const std::string req = PutBodiesRequest({{kB, *Seal(body_.plaintext, b_.public_key())}});
  EXPECT_EQ(Do("PUT", body_.commitment, "busy", req).status, 503);
  EXPECT_TRUE(recorder_.records().empty());
}

TEST_F(BodiesApiTest, OnlyThePartyStores) {
  const std::string req = PutBodiesRequest({{kB, *Seal(body_.plaintext, b_.public_key())}});
  EXPECT_EQ(Do("PUT", body_.commitment, kB, req).status, 403);
  EXPECT_EQ(Do("PUT", body_.commitment, kD, req).status, 403);
  EXPECT_TRUE(store_->Commitments()->empty());
  EXPECT_EQ(Do("PUT", body_.commitment, kA, req).status, 201);
  // Durable: a fresh store over the same folder has it.
  BodyStore reopened(std::make_unique<store::FolderBodyStorage>(dir_ / "bodies"));
  EXPECT_TRUE((*reopened.Get(body_.commitment, kB)).has_value());
}

TEST_F(BodiesApiTest, OversizeIsRefusedWith413) {
  auto one = Do("PUT", body_.commitment, kA,
                PutBodiesRequest({{kB, std::string(kMaxSealedBytes + 1, 'x')}}));
  EXPECT_EQ(one.status, 413) << one.body;
  // A request body over the route's limit is refused from its Content-Length, before
  // it is read (a raw connection: a client would still be writing when the server closes).
  auto conn = http::testing::RawConnection::Open(server_->port());
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->Send(
      absl::StrCat("PUT /v1/bodies/", body_.commitment, " HTTP/1.1\r\nHost: x\r\n", kParty, ": ",
                   kA, "\r\nContent-Length: ", kMaxPutRequestBytes + 1, "\r\n\r\n")));
  auto huge = conn->Read();
  ASSERT_TRUE(huge.ok()) << huge.status();
  EXPECT_EQ(huge->status, 413);
  EXPECT_TRUE(store_->Commitments()->empty());
  auto largest =
      Do("PUT", body_.commitment, kA, PutBodiesRequest({{kB, std::string(kMaxSealedBytes, 'x')}}));
  EXPECT_EQ(largest.status, 201) << largest.body;
}

TEST_F(BodiesApiTest, MalformedRequestsGet400) {
  for (const std::string& c : {std::string("abc"), std::string(64, 'A'), std::string(63, 'a'),
                               std::string("..%2F..%2Fetc")}) {
    EXPECT_EQ(Do("GET", c, kB).status, 400) << c;
    EXPECT_EQ(Do("PUT", c, kA, PutBodiesRequest({{kB, std::string(64, 'x')}})).status, 400) << c;
  }
  for (const std::string& body :
       {std::string("not json"), std::string("{}"), std::string("{\"copies\":[]}"),
        std::string("{\"copies\":[{\"addressee\":\"../x\",\"sealed\":\"AAAA\"}]}"),
        std::string("{\"copies\":[{\"addressee\":\"cert.b.example/log\",\"sealed\":\"A\"}]}"),
        std::string("{\"copies\":[{\"addressee\":\"cert.b.example/log\",\"sealed\":\"AAAA\"}]}"),
        PutBodiesRequest({{kB, std::string(64, 'x')}, {kB, std::string(64, 'y')}}),
        // Strict JSON (src/util/json.h): a repeated member, a NUL and more after it.
        std::string("{\"copies\":[],\"copies\":[{\"addressee\":\"cert.b.example/log\","
                    "\"sealed\":\"AAAA\"}]}"),
        PutBodiesRequest({{kB, std::string(64, 'x')}}) + std::string(1, '\0') + "{}"}) {
    EXPECT_EQ(Do("PUT", body_.commitment, kA, body).status, 400) << body;
  }
  EXPECT_TRUE(store_->Commitments()->empty());
}

TEST_F(BodiesApiTest, NothingIsReleasedWithoutADurableRecord) {
  ASSERT_EQ(PutCopies().status, 201);
  recorder_.set_mode(Recorder::Mode::kFail);
  auto failed = Do("GET", body_.commitment, kB);
  EXPECT_EQ(failed.status, 503);
  EXPECT_TRUE(failed.headers.Has("Retry-After"));
  EXPECT_EQ(failed.body.find("sealed"), std::string::npos);

  // The answer waits for the record.
  recorder_.set_mode(Recorder::Mode::kHold);
  http::ClientResponse held;
  std::thread t([&] { held = Do("GET", body_.commitment, kB); });
  ASSERT_TRUE(test::WaitFor([&] { return recorder_.held() == 1; }));
  EXPECT_EQ(held.status, 0);  // not answered while the record is pending
  recorder_.Release();
  t.join();
  EXPECT_EQ(held.status, 200);
}

TEST_F(BodiesApiTest, StoreFailuresAre500AndReleaseNothing) {
  {
    std::ofstream block(dir_ / "bodies");  // a file where the store's folder should be
  }
  auto put = PutCopies();
  EXPECT_EQ(put.status, 500) << put.body;
  EXPECT_EQ(put.body.find(dir_.string()), std::string::npos);  // no paths in answers
  fs::remove(dir_ / "bodies");
  ASSERT_EQ(PutCopies().status, 201);
  {
    std::ofstream damage(dir_ / "bodies" / body_.commitment / store::AddresseeId(kB),
                         std::ios::binary | std::ios::app);
    damage << "x";
  }
  auto get = Do("GET", body_.commitment, kB);
  EXPECT_EQ(get.status, 500);
  EXPECT_EQ(get.body.find("sealed"), std::string::npos);
  EXPECT_TRUE(recorder_.records().empty());
}

// A full disk is 507 and a read-only one 503 (the problems of the node's statements), and
// a refused PUT leaves nothing in the store, not even its commitment's folder.
TEST_F(BodiesApiTest, AFullOrReadOnlyDiskIsNamedAndLeavesNothing) {
  const auto expect = [&](int status, std::string_view name) {
    auto put = PutCopies();
    EXPECT_EQ(put.status, status) << put.body;
    auto doc = nlohmann::json::parse(put.body, nullptr, false);
    EXPECT_EQ(doc.value("type", ""), http::ProblemType(name)) << put.body;
    EXPECT_EQ(put.body.find(dir_.string()), std::string::npos) << put.body;  // no paths
    EXPECT_FALSE(fs::exists(dir_ / "bodies" / body_.commitment));
  };
  fault_ = [](std::string_view step, const fs::path& p) {
    return step == "write" ? absl::ResourceExhaustedError("cannot write " + p.string() +
                                                          ": No space left on device")
                           : absl::OkStatus();
  };
  expect(507, "insufficient-storage");
  fault_ = [](std::string_view step, const fs::path& p) {
    return step == "create" ? absl::PermissionDeniedError("cannot create " + p.string() +
                                                          ": Read-only file system")
                            : absl::OkStatus();
  };
  expect(503, "storage-failure");
  fault_ = nullptr;
  EXPECT_EQ(PutCopies().status, 201);
  EXPECT_TRUE(recorder_.records().empty());
}

TEST_F(BodiesApiTest, HeadIsRefusedAndUnrecorded) {
  ASSERT_EQ(PutCopies().status, 201);
  EXPECT_EQ(Do("HEAD", body_.commitment, kB).status, 405);
  EXPECT_TRUE(recorder_.records().empty());
}

}  // namespace
}  // namespace accord::casework
