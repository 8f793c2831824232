// The witness against the cases of c2sp.org/tlog-witness "add-checkpoint".
#include "src/federation/witness.h"

#include <atomic>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/http/client.h"
#include "src/http/testing.h"
#include "src/log/log.h"
#include "src/log/testing.h"
#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"
#include "src/store/log_storage.h"
#include "src/util/encoding.h"

namespace accord::federation {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr uint64_t kTime = 1'700'000'000;

nlohmann::json PartyJson(std::string_view host, const note::KeyPair& log,
                         const note::KeyPair& witness) {
  return {{"name", absl::StrCat("CERT of ", std::string(host))},
          {"origin", absl::StrCat(std::string(host), "/log")},
          {"log_key", log.verifier_key},
          {"url", "http://127.0.0.1:1"},
          {"witness", {{"key", witness.verifier_key}}},
          {"contact", {{"team", "duty"}, {"email", "duty@example"}, {"hours", "24/7"}}}};
}

// A log that grows on demand and keeps every checkpoint it signed.
struct TestLog {
  TestLog(const log::testing::TempDir& dir, std::string_view name, const note::KeyPair& key)
      : log(*log::Log::Create(
            std::make_unique<store::PosixLogStorage>(dir.path() / std::string(name)),
            *note::NewSigner(key.private_key))) {
    checkpoints.push_back(log->signed_checkpoint());
  }
  // Appends until the log has `size` entries, keeping each checkpoint; `tag` makes a fork.
  void GrowTo(uint64_t size, std::string_view tag = "e") {
    while (log->size() < size) {
      std::string e = absl::StrCat(std::string(tag), log->size());
      std::span<const uint8_t> v(reinterpret_cast<const uint8_t*>(e.data()), e.size());
      auto r = log->Append(std::span(&v, 1));
      ASSERT_TRUE(r.ok()) << r.status();
      checkpoints.push_back(r->checkpoint);
    }
  }
  std::string Body(uint64_t old_size, uint64_t size) const {
    AddCheckpointRequest req{old_size, {}, checkpoints.at(size)};
    if (old_size > 0 && old_size < size) req.proof = *log->ConsistencyProof(old_size, size);
    return FormatAddCheckpoint(req);
  }
  std::unique_ptr<log::Log> log;
  std::vector<std::string> checkpoints;  // by size
};

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = ParseDirectory(nlohmann::json{
        {"accord_directory", 1},
        {"witness_quorum", 1},
        {"parties",
         {PartyJson("a.example", a_log_, a_witness_), PartyJson("b.example", b_log_, b_witness_)}}}
                                .dump());
    ASSERT_TRUE(d.ok()) << d.status();
    directory_ = DirectoryWatcher::Fixed(*d);
    Reopen();
  }
  void Reopen(store::FaultInjector fault = nullptr) {
    witness_.reset();
    auto w = Witness::Open(std::make_unique<store::FolderCheckpointStore>(
                               dir_.path() / "witness",
                               store::FolderCheckpointStore::Naming::kHashed, std::move(fault)),
                           *note::NewCosignatureSigner(b_witness_.private_key), "b.example/log",
                           *directory_, {.clock = [] { return kTime; }});
    ASSERT_TRUE(w.ok()) << w.status();
    witness_ = *std::move(w);
  }
  // OK iff `line` is a valid cosignature of B's witness on `checkpoint`.
  void ExpectCosigned(const std::string& checkpoint, const Witness::Answer& a) {
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_THAT(a.body, StartsWith("— b.example/witness "));
    auto log_verifier = *note::NewVerifier(a_log_.verifier_key);
    auto cosigner = *note::NewCosignatureVerifier(b_witness_.verifier_key);
    const note::Verifier* cosigners[] = {cosigner.get()};
    auto opened =
        note::OpenCheckpoint(checkpoint + a.body, "a.example/log", *log_verifier, cosigners);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ASSERT_EQ(opened->note.signatures.size(), 2u);
    EXPECT_EQ(opened->note.signatures[1].name, "b.example/witness");
    EXPECT_EQ(*note::CosignatureTimestamp(opened->note.signatures[1]), kTime);
  }
  void ExpectConflict(const Witness::Answer& a, uint64_t size) {
    EXPECT_EQ(a.status, 409) << a.body;
    EXPECT_EQ(a.content_type, "text/x.tlog.size");
    EXPECT_EQ(a.body, absl::StrCat(size, "\n"));
  }
  void ExpectProblem(const Witness::Answer& a, int status, std::string_view type) {
    EXPECT_EQ(a.status, status) << a.body;
    EXPECT_EQ(a.content_type, "application/problem+json");
    auto j = nlohmann::json::parse(a.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << a.body;
    EXPECT_EQ(j["type"], absl::StrCat("urn:accord:problem:", std::string(type))) << a.body;
    EXPECT_EQ(j["status"], status);
  }

  log::testing::TempDir dir_;
  note::KeyPair a_log_ = *note::GenerateKey("a.example/log");
  note::KeyPair a_witness_ = *note::GenerateCosignerKey("a.example/witness");
  note::KeyPair b_log_ = *note::GenerateKey("b.example/log");
  note::KeyPair b_witness_ = *note::GenerateCosignerKey("b.example/witness");
  std::unique_ptr<DirectoryWatcher> directory_;
  std::unique_ptr<Witness> witness_;
  TestLog a_{dir_, "a", a_log_};
};

TEST(AddCheckpointFormat, RoundTrip) {
  AddCheckpointRequest req{5, {tlog::Hash{}, tlog::Hash{}}, "o\n5\nAAAA\n\n— o AAAAAAA=\n"};
  req.proof[1][0] = 7;
  const std::string body = FormatAddCheckpoint(req);
  EXPECT_THAT(body, StartsWith("old 5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nBwAA"));
  auto back = ParseAddCheckpoint(body);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->old_size, 5u);
  EXPECT_EQ(back->proof, req.proof);
  EXPECT_EQ(back->checkpoint, req.checkpoint);
  EXPECT_EQ(ParseTreeSize("0"), 0u);
  EXPECT_EQ(ParseTreeSize("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseTreeSize("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseTreeSize("01"), std::nullopt);
  EXPECT_EQ(ParseTreeSize("+1"), std::nullopt);
  EXPECT_EQ(ParseTreeSize(""), std::nullopt);
}

TEST_F(WitnessTest, FirstCheckpointThenConsistentGrowth) {
  a_.GrowTo(8);
  ExpectCosigned(a_.checkpoints[3], witness_->AddCheckpoint(a_.Body(0, 3)));
  EXPECT_EQ(witness_->Latest("a.example/log"), a_.checkpoints[3]);
  ExpectCosigned(a_.checkpoints[8], witness_->AddCheckpoint(a_.Body(3, 8)));
  EXPECT_EQ(witness_->Latest("a.example/log"), a_.checkpoints[8]);
  // The same checkpoint again is cosigned again (idempotent).
  ExpectCosigned(a_.checkpoints[8], witness_->AddCheckpoint(a_.Body(8, 8)));
  EXPECT_EQ(witness_->Latest("b.example/log"), std::nullopt);
}

TEST_F(WitnessTest, OldSizeMustMatchTheLatestCosigned) {
  a_.GrowTo(9);
  ExpectConflict(witness_->AddCheckpoint(a_.Body(3, 8)), 0);  // never cosigned: 0
  ExpectCosigned(a_.checkpoints[8], witness_->AddCheckpoint(a_.Body(0, 8)));
  ExpectConflict(witness_->AddCheckpoint(a_.Body(3, 9)), 8);  // stale
  ExpectConflict(witness_->AddCheckpoint(a_.Body(0, 9)), 8);
  ExpectConflict(witness_->AddCheckpoint(a_.Body(3, 3)), 8);                  // an older checkpoint
  ExpectProblem(witness_->AddCheckpoint(a_.Body(9, 8)), 400, "bad-request");  // old > size
  EXPECT_EQ(witness_->Latest("a.example/log"), a_.checkpoints[8]);
}

TEST_F(WitnessTest, RefusesInconsistentProofs) {
  a_.GrowTo(9);
  ExpectCosigned(a_.checkpoints[3], witness_->AddCheckpoint(a_.Body(0, 3)));
  AddCheckpointRequest req{3, *a_.log->ConsistencyProof(3, 9), a_.checkpoints[9]};
  req.proof[0][5] ^= 1;
  ExpectProblem(witness_->AddCheckpoint(FormatAddCheckpoint(req)), 422, "inconsistent");
  req.proof.pop_back();
  ExpectProblem(witness_->AddCheckpoint(FormatAddCheckpoint(req)), 422, "inconsistent");
  // A proof where none belongs (same size).
  req = {3, {tlog::Hash{}}, a_.checkpoints[3]};
  ExpectProblem(witness_->AddCheckpoint(FormatAddCheckpoint(req)), 422, "inconsistent");
  // A fork of A's log: same key, other entries.
  log::testing::TempDir other;
  TestLog fork(other, "fork", a_log_);
  fork.GrowTo(3, "x");
  fork.GrowTo(9, "f");
  ExpectProblem(witness_->AddCheckpoint(fork.Body(3, 9)), 422, "inconsistent");
  EXPECT_EQ(witness_->Latest("a.example/log"), a_.checkpoints[3]);
}

TEST_F(WitnessTest, ProofMustBeEmptyFromZero) {
  a_.GrowTo(4);
  AddCheckpointRequest req{0, {tlog::Hash{}}, a_.checkpoints[4]};
  ExpectProblem(witness_->AddCheckpoint(FormatAddCheckpoint(req)), 422, "inconsistent");
}

TEST_F(WitnessTest, SameSizeDifferentRootConflicts) {
  a_.GrowTo(5);
  ExpectCosigned(a_.checkpoints[5], witness_->AddCheckpoint(a_.Body(0, 5)));
  log::testing::TempDir other;
  TestLog fork(other, "fork", a_log_);
  fork.GrowTo(5, "f");
  ExpectConflict(witness_->AddCheckpoint(fork.Body(5, 5)), 5);
  EXPECT_EQ(witness_->Latest("a.example/log"), a_.checkpoints[5]);
}

TEST_F(WitnessTest, UnknownAndOwnLogsAreNotFound) {
  log::testing::TempDir other;
  auto c_key = *note::GenerateKey("c.example/log");
  TestLog c(other, "c", c_key);
  c.GrowTo(2);
  ExpectProblem(witness_->AddCheckpoint(c.Body(0, 2)), 404, "unknown-log");
  TestLog b(other, "b", b_log_);
  b.GrowTo(2);
  ExpectProblem(witness_->AddCheckpoint(b.Body(0, 2)), 404, "unknown-log");
}

TEST_F(WitnessTest, RefusesCheckpointsWithoutAValidLogSignature) {
  a_.GrowTo(2);
  // Signed by another key under the log's name: an unknown key, no trusted signature.
  log::testing::TempDir other;
  TestLog impostor(other, "i", *note::GenerateKey("a.example/log"));
  impostor.GrowTo(2);
  ExpectProblem(witness_->AddCheckpoint(impostor.Body(0, 2)), 403, "bad-signature");
  // The log's own key, with a broken signature.
  std::string cp = a_.checkpoints[2];
  const size_t at = cp.rfind(' ') + 10;
  cp[at] = cp[at] == 'A' ? 'B' : 'A';
  ExpectProblem(witness_->AddCheckpoint(FormatAddCheckpoint({0, {}, cp})), 403, "bad-signature");
  EXPECT_EQ(witness_->Latest("a.example/log"), std::nullopt);
}

TEST_F(WitnessTest, RefusesMalformedBodies) {
  a_.GrowTo(3);
  const std::string cp = a_.checkpoints[3];
  const std::string hash = util::Base64Encode(tlog::Hash{}) + "\n";
  std::string many = "old 1\n";
  for (int i = 0; i < 64; ++i) many += hash;
  const std::vector<std::string> bodies = {
      "old 00\n\n" + cp,
      "old 01\n\n" + cp,
      "old -1\n\n" + cp,
      "old  1\n\n" + cp,
      "old 1\r\n\r\n" + cp,
      "old 18446744073709551616\n\n" + cp,
      "Old 0\n\n" + cp,
      many + "\n" + cp,
      "old 1\nnot base64!\n\n" + cp,
      "old 1\nAAAA\n\n" + cp,                         // base64 of 3 bytes
      "old 1\n" + hash.substr(0, 43) + "B\n\n" + cp,  // non-canonical base64
      "old 0\n" + cp,                                 // no empty line
      "old 0\n\n",
      "old 0\n\nnot a note\n",
      "garbage",
      "",
  };
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body.substr(0, 40));
    ExpectProblem(witness_->AddCheckpoint(body), 400, "bad-request");
  }
  // 63 proof lines parse (and then fail to verify).
  std::string ok = "old 1\n";
  for (int i = 0; i < 63; ++i) ok += hash;
  auto req = ParseAddCheckpoint(ok + "\n" + cp);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->proof.size(), 63u);
}

TEST_F(WitnessTest, StateSurvivesARestart) {
  a_.GrowTo(7);
  ExpectCosigned(a_.checkpoints[4], witness_->AddCheckpoint(a_.Body(0, 4)));
  Reopen();
  EXPECT_EQ(witness_->Latest("a.example/log"), a_.checkpoints[4]);
  ExpectConflict(witness_->AddCheckpoint(a_.Body(0, 7)), 4);
  ExpectCosigned(a_.checkpoints[7], witness_->AddCheckpoint(a_.Body(4, 7)));
  Reopen();
  ExpectConflict(witness_->AddCheckpoint(a_.Body(4, 7)), 7);
}

// A failed write of a log's state leaves the disk holding the old checkpoint or the
// new one; the witness cannot know which, so it answers nothing more for that log
// (503, sticky) and a restart decides from what the disk holds. Every step of the
// durable write is made to fail in turn.
TEST_F(WitnessTest, AFailedStateWriteIsStickyUntilRestart) {
  a_.GrowTo(9);
  for (const char* step : {"create", "write", "syncfs", "rename"}) {
    SCOPED_TRACE(step);
    fs::remove_all(dir_.path() / "witness");
    Reopen();
    ExpectCosigned(a_.checkpoints[3], witness_->AddCheckpoint(a_.Body(0, 3)));
    int steps = 0;
    Reopen([&, step](std::string_view s, const fs::path&) {
      // The second syncfs comes after the rename: the new state may be on disk.
      if (s == step && (s != std::string_view("syncfs") || ++steps == 2))
        return absl::InternalError("injected");
      return absl::OkStatus();
    });
    ExpectProblem(witness_->AddCheckpoint(a_.Body(3, 6)), 503, "storage-failure");
    // Sticky: neither the same request nor one from the old state is answered.
    ExpectProblem(witness_->AddCheckpoint(a_.Body(3, 6)), 503, "storage-failure");
    ExpectProblem(witness_->AddCheckpoint(a_.Body(3, 9)), 503, "storage-failure");
    Reopen();  // the restart reads what the disk holds: size 3 or size 6, never a mix
    const uint64_t held = witness_->Latest("a.example/log") == a_.checkpoints[6] ? 6 : 3;
    EXPECT_EQ(witness_->Latest("a.example/log"), a_.checkpoints[held]);
    ExpectCosigned(a_.checkpoints[9], witness_->AddCheckpoint(a_.Body(held, 9)));
  }
}

TEST_F(WitnessTest, ReportsObservations) {
  a_.GrowTo(4);
  std::vector<Observation> seen;
  witness_->SetObservationSink([&](const Observation& o) { seen.push_back(o); });
  witness_->AddCheckpoint(a_.Body(0, 2));
  witness_->AddCheckpoint(a_.Body(0, 4));  // 409
  witness_->AddCheckpoint("garbage");      // not observed
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].cosigned);
  EXPECT_EQ(seen[0].last_cosigned, std::nullopt);
  EXPECT_EQ(seen[0].checkpoint, a_.checkpoints[2]);
  EXPECT_FALSE(seen[1].cosigned);
  EXPECT_EQ(seen[1].last_cosigned, a_.checkpoints[2]);
  EXPECT_EQ(seen[1].origin, "a.example/log");
}

// Many clients race with different sizes; the witness never rolls back and every
// cosigned checkpoint extends the previous ones.
TEST_F(WitnessTest, ConcurrentRequestsNeverRollBack) {
  constexpr uint64_t kMax = 64;
  a_.GrowTo(kMax);
  std::atomic<uint64_t> largest{0};
  std::atomic<int> cosigned{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      uint64_t old_size = 0;
      for (int i = 0; i < 40; ++i) {
        const uint64_t size = old_size + rng() % (kMax - old_size + 1);
        Witness::Answer a = witness_->AddCheckpoint(a_.Body(old_size, size));
        if (a.status == 200) {
          ++cosigned;
          uint64_t l = largest.load();
          while (size > l && !largest.compare_exchange_weak(l, size)) {
          }
          old_size = size;
        } else if (a.status == 409) {
          old_size = *ParseTreeSize(std::string_view(a.body).substr(0, a.body.size() - 1));
        } else {
          ADD_FAILURE() << a.status << " " << a.body;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(cosigned.load(), 8);
  auto latest = witness_->Latest("a.example/log");
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(*latest, a_.checkpoints[largest.load()]);
}

TEST_F(WitnessTest, ServesAddCheckpointOverHttp) {
  a_.GrowTo(3);
  http::Router router;
  http::Registry metrics;
  RegisterWitnessRoutes(router, *witness_, metrics);
  auto server = http::testing::StartServer(std::move(router));
  auto client = *http::Client::Create(absl::StrCat("http://127.0.0.1:", server->port()));
  auto r = client->Post("/add-checkpoint", a_.Body(0, 3), "text/plain");
  ASSERT_TRUE(r.ok()) << r.status();
  ExpectCosigned(a_.checkpoints[3], {r->status, "", r->body});
  r = client->Post("/add-checkpoint", a_.Body(0, 3), "text/plain");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(r->headers.Get("Content-Type"), "text/x.tlog.size");
  EXPECT_EQ(r->body, "3\n");
  r = client->Post("/add-checkpoint", "garbage", "text/plain");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/problem+json");
  r = client->Post("/add-checkpoint", std::string(65 * 1024, 'x'), "text/plain");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 413);
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("accord_witness_requests_total{status=\"200\"} 1"));
  EXPECT_THAT(text, HasSubstr("accord_witness_requests_total{status=\"409\"} 1"));
  EXPECT_THAT(text, HasSubstr("accord_witness_requests_total{status=\"400\"} 1"));
  server->Stop();
}

}  // namespace
}  // namespace accord::federation
