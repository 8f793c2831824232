// Witnessing against real witnesses over HTTP on 127.0.0.1: cosignatures collected and
// published, witnesses that are down, slow, forgetful or ahead of the log.
#include "src/federation/witnessing.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/federation/witness.h"
#include "src/http/testing.h"
#include "src/log/testing.h"
#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"
#include "src/store/durable_file.h"
#include "src/store/log_storage.h"

namespace accord::federation {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

// A TCP port that accepts connections (the kernel completes the handshake) but never
// answers: a witness that hangs.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::abort();
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_;
};

// A port nothing listens on (bound, then closed).
uint16_t ClosedPort() {
  SilentListener l;
  return l.port();
}

// One party's witness behind its own HTTP server; Replace simulates a restart.
struct TestWitness {
  std::string host;
  note::KeyPair log_key = *note::GenerateKey(absl::StrCat(host, "/log"));
  note::KeyPair key = *note::GenerateCosignerKey(absl::StrCat(host, "/witness"));
  absl::Mutex mu;
  std::unique_ptr<Witness> witness ABSL_GUARDED_BY(mu);
  std::unique_ptr<http::Server> server;

  explicit TestWitness(std::string h) : host(std::move(h)) {}
  void Open(DirectoryWatcher& directory, const std::filesystem::path& state_dir) {
    auto w = Witness::Open(std::make_unique<store::FolderCheckpointStore>(state_dir),
                           *note::NewCosignatureSigner(key.private_key), absl::StrCat(host, "/log"),
                           directory);
    ASSERT_TRUE(w.ok()) << w.status();
    absl::MutexLock lock(&mu);
    witness = *std::move(w);
  }
  void Serve() {
    http::Router router;
    router.Handle("POST", "/add-checkpoint", [this](const http::Request& req) {
      absl::MutexLock lock(&mu);
      Witness::Answer a = witness->AddCheckpoint(req.body);
      return http::Response::Text(a.status, a.body, a.content_type);
    });
    server = http::testing::StartServer(std::move(router));
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", server->port()); }
};

nlohmann::json PartyJson(std::string_view host, const note::KeyPair& log,
                         const note::KeyPair& witness, std::string_view url) {
  return {{"name", absl::StrCat("CERT of ", std::string(host))},
          {"origin", absl::StrCat(std::string(host), "/log")},
          {"log_key", log.verifier_key},
          {"url", std::string(url)},
          {"witness", {{"key", witness.verifier_key}, {"url", std::string(url)}}},
          {"contact", {{"team", "duty"}, {"email", "duty@example"}, {"hours", "24/7"}}}};
}

class WitnessingTest : public ::testing::Test {
 protected:
  // Party A runs the log; B, C, D run witnesses. `urls` overrides a witness's URL.
  void SetUp() override {
    for (const char* h : {"b.example", "c.example", "d.example"}) {
      witnesses_.push_back(std::make_unique<TestWitness>(h));
    }
    auto d = ParseDirectory(DirectoryJson({}).dump());
    ASSERT_TRUE(d.ok()) << d.status();
    witness_directory_ = DirectoryWatcher::Fixed(*d);
    for (auto& w : witnesses_) {
      w->Open(*witness_directory_, dir_.path() / w->host);
      w->Serve();
    }
    log_ = *log::Log::Create(std::make_unique<store::PosixLogStorage>(dir_.path() / "log"),
                             *note::NewSigner(a_log_.private_key));
  }
  void TearDown() override {
    witnessing_.reset();
    for (auto& w : witnesses_) w->server->Stop();
  }

  nlohmann::json DirectoryJson(const std::map<std::string, std::string>& urls) {
    nlohmann::json parties =
        nlohmann::json::array({PartyJson("a.example", a_log_, a_witness_, "http://127.0.0.1:1")});
    for (auto& w : witnesses_) {
      auto it = urls.find(w->host);
      std::string url = it != urls.end() ? it->second : w->server ? w->url() : "http://127.0.0.1:1";
      parties.push_back(PartyJson(w->host, w->log_key, w->key, url));
    }
    // A directory whose quorum no log could reach is refused, so a federation without
    // other witnesses asks for none.
    const int quorum = witnesses_.empty() ? 0 : 2;
    return {{"accord_directory", 1}, {"witness_quorum", quorum}, {"parties", parties}};
  }
  void Start(const std::map<std::string, std::string>& urls = {},
             WitnessingOptions options = Options()) {
    auto d = ParseDirectory(DirectoryJson(urls).dump());
    ASSERT_TRUE(d.ok()) << d.status();
    directory_ = DirectoryWatcher::Fixed(*d);
    std::unique_ptr<store::CheckpointStore> state =
        state_ ? std::move(state_)
               : std::make_unique<store::FolderCheckpointStore>(
                     dir_.path(), store::FolderCheckpointStore::Naming::kPlain);
    auto w = Witnessing::Start(*log_, *directory_, std::move(state), options);
    ASSERT_TRUE(w.ok()) << w.status();
    witnessing_ = *std::move(w);
  }
  // The published checkpoint's store for the next Start (default: DATA/checkpoint.witnessed).
  std::unique_ptr<store::CheckpointStore> state_;
  static WitnessingOptions Options() {
    WitnessingOptions o;
    o.timeout = absl::Milliseconds(500);
    o.min_backoff = absl::Milliseconds(50);
    o.max_backoff = absl::Milliseconds(400);
    o.idle_interval = absl::Milliseconds(200);
    return o;
  }
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      std::string e = absl::StrCat("entry ", log_->size());
      std::span<const uint8_t> v(reinterpret_cast<const uint8_t*>(e.data()), e.size());
      ASSERT_TRUE(log_->Append(std::span(&v, 1)).ok());
    }
    if (witnessing_) witnessing_->Notify();
  }
  // The witnesses whose valid cosignatures `published` carries, checking that it is the
  // log's current checkpoint with the log's signature first.
  std::vector<std::string> Cosigners(const std::string& published) {
    auto log_verifier = *note::NewVerifier(a_log_.verifier_key);
    std::vector<std::unique_ptr<note::CosignatureV1Verifier>> vs;
    std::vector<const note::Verifier*> cosigners;
    for (auto& w : witnesses_) {
      vs.push_back(*note::NewCosignatureVerifier(w->key.verifier_key));
      cosigners.push_back(vs.back().get());
    }
    auto opened = note::OpenCheckpoint(published, "a.example/log", *log_verifier, cosigners);
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return {};
    EXPECT_EQ(opened->note.signatures.at(0).name, "a.example/log");
    EXPECT_TRUE(opened->note.unverified.empty());
    std::vector<std::string> names;
    for (size_t i = 1; i < opened->note.signatures.size(); ++i) {
      names.push_back(opened->note.signatures[i].name);
    }
    return names;
  }
  // Waits until the published checkpoint is the log's latest and carries `names`.
  bool WaitCosigned(const std::vector<std::string>& names,
                    absl::Duration timeout = absl::Seconds(10)) {
    return test::WaitFor(
        [&] {
          std::string p = witnessing_->published();
          auto n = note::Parse(p);
          if (!n.ok() || !p.starts_with(log_->signed_checkpoint())) return false;
          auto got = Cosigners(p);
          std::sort(got.begin(), got.end());
          return got == names;
        },
        timeout);
  }
  std::optional<WitnessStatus> StatusOf(std::string_view name) {
    for (auto& s : witnessing_->status()) {
      if (s.name == name) return s;
    }
    return std::nullopt;
  }

  log::testing::TempDir dir_;
  note::KeyPair a_log_ = *note::GenerateKey("a.example/log");
  note::KeyPair a_witness_ = *note::GenerateCosignerKey("a.example/witness");
  std::vector<std::unique_ptr<TestWitness>> witnesses_;
  std::unique_ptr<DirectoryWatcher> witness_directory_, directory_;
  std::unique_ptr<log::Log> log_;
  std::unique_ptr<Witnessing> witnessing_;
};

const std::vector<std::string> kAll = {"b.example/witness", "c.example/witness",
                                       "d.example/witness"};

TEST_F(WitnessingTest, PublishesEveryWitnessCosignature) {
  Append(3);
  Start();
  ASSERT_TRUE(witnessing_->WaitPublished(3, absl::Seconds(10)));
  ASSERT_TRUE(WaitCosigned(kAll));
  Append(5);
  ASSERT_TRUE(witnessing_->WaitPublished(8, absl::Seconds(10)));
  ASSERT_TRUE(WaitCosigned(kAll));
  for (auto& w : witnesses_) {
    absl::MutexLock lock(&w->mu);
    EXPECT_EQ(w->witness->Latest("a.example/log"), log_->signed_checkpoint());
  }
  for (const WitnessStatus& s : witnessing_->status()) {
    EXPECT_EQ(s.cosigned_size, 8u) << s.name;
    EXPECT_EQ(s.last_error, "") << s.name;
    EXPECT_EQ(s.consecutive_failures, 0) << s.name;
    EXPECT_NE(s.last_success, absl::InfinitePast());
  }
  // Persisted: a restart serves it at once, even with every witness gone.
  witnessing_.reset();
  const std::string published = *store::ReadWholeFile(dir_.path() / "checkpoint.witnessed");
  EXPECT_THAT(Cosigners(published), UnorderedElementsAreArray(kAll));
  for (auto& w : witnesses_) w->server->Stop();
  Start();
  EXPECT_EQ(witnessing_->published(), published);
  ASSERT_TRUE(witnessing_->WaitPublished(8, absl::Seconds(1)));
  // Rounds with every witness down leave it as it is.
  ASSERT_TRUE(witnessing_->WaitRounds(witnessing_->rounds() + 2, absl::Seconds(10)));
  EXPECT_EQ(witnessing_->published(), published);
}

TEST_F(WitnessingTest, WithoutWitnessesPublishesTheLogsCheckpoint) {
  witnesses_.clear();
  Start();
  EXPECT_EQ(witnessing_->published(), log_->signed_checkpoint());
  Append(2);
  ASSERT_TRUE(witnessing_->WaitPublished(2, absl::Seconds(10)));
  EXPECT_EQ(witnessing_->published(), log_->signed_checkpoint());
  EXPECT_TRUE(witnessing_->status().empty());
}

// A publication whose write failed may have been stored all the same: the witnessing
// reads the store again before its next try, rather than swapping from a value that is
// no longer there (which would refuse every publication from then on).
TEST_F(WitnessingTest, APublicationWhoseWriteFailedIsReadAgainBeforeTheNextTry) {
  witnesses_.clear();
  auto memory = std::make_unique<store::MemoryCheckpointStore>();
  store::MemoryCheckpointStore* stored = memory.get();
  state_ = std::move(memory);
  Start();
  stored->FailAfter(0, store::MemoryCheckpointStore::FailMode::kFailAndPersist);
  Append(2);
  ASSERT_TRUE(witnessing_->WaitPublished(2, absl::Seconds(10)));
  EXPECT_EQ(witnessing_->published(), log_->signed_checkpoint());
  EXPECT_EQ(*stored->Get(kPublishedCheckpointName), log_->signed_checkpoint());
  // And it goes on publishing.
  Append(1);
  ASSERT_TRUE(witnessing_->WaitPublished(3, absl::Seconds(10)));
  EXPECT_EQ(*stored->Get(kPublishedCheckpointName), log_->signed_checkpoint());
}

TEST_F(WitnessingTest, AWitnessDownOrHangingDoesNotStallTheOthers) {
  SilentListener hanging;
  Append(2);
  const absl::Time start = absl::Now();
  Start({{"c.example", absl::StrCat("http://127.0.0.1:", hanging.port())},
         {"d.example", absl::StrCat("http://127.0.0.1:", ClosedPort())}});
  ASSERT_TRUE(WaitCosigned({"b.example/witness"}, absl::Seconds(5)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));  // one timeout is 0.5 s; no stall
  Append(1);
  ASSERT_TRUE(witnessing_->WaitPublished(3, absl::Seconds(2)));
  ASSERT_TRUE(WaitCosigned({"b.example/witness"}, absl::Seconds(2)));
  ASSERT_TRUE(test::WaitFor([&] {
    std::optional<WitnessStatus> c = StatusOf("c.example/witness");
    std::optional<WitnessStatus> d = StatusOf("d.example/witness");
    return c && d && c->consecutive_failures >= 2 && d->consecutive_failures >= 2;
  }));
  std::optional<WitnessStatus> d = StatusOf("d.example/witness");
  EXPECT_NE(d->last_error, "");
  EXPECT_EQ(d->last_success, absl::InfinitePast());
  std::optional<WitnessStatus> b = StatusOf("b.example/witness");
  EXPECT_EQ(b->last_error, "");
  EXPECT_EQ(b->cosigned_size, 3u);
}

TEST_F(WitnessingTest, LearnsTheSizeOfAWitnessThatLostItsState) {
  Append(4);
  Start();
  ASSERT_TRUE(WaitCosigned(kAll));
  // C restarts with an empty state folder: it now expects old size 0.
  TestWitness& c = *witnesses_[1];
  c.Open(*witness_directory_, dir_.path() / "c-new");
  Append(2);
  ASSERT_TRUE(witnessing_->WaitPublished(6, absl::Seconds(10)));
  ASSERT_TRUE(WaitCosigned(kAll));
  absl::MutexLock lock(&c.mu);
  EXPECT_EQ(c.witness->Latest("a.example/log"), log_->signed_checkpoint());
}

TEST_F(WitnessingTest, LearnsTheSizeOfAWitnessThatCosignedBefore) {
  Append(5);
  Start();
  ASSERT_TRUE(WaitCosigned(kAll));
  // Every witness now holds size 5; a fresh Witnessing believes 0 for each.
  witnessing_.reset();
  std::filesystem::remove(dir_.path() / "checkpoint.witnessed");
  Append(3);
  Start();
  ASSERT_TRUE(witnessing_->WaitPublished(8, absl::Seconds(10)));
  ASSERT_TRUE(WaitCosigned(kAll));
}

TEST_F(WitnessingTest, ReportsAWitnessAheadOfTheLog) {
  // D has cosigned size 9 of a fork of A's log (same key): it is ahead of this log.
  {
    log::testing::TempDir other;
    auto fork = *log::Log::Create(std::make_unique<store::PosixLogStorage>(other.path()),
                                  *note::NewSigner(a_log_.private_key));
    for (int i = 0; i < 9; ++i) {
      std::string e = absl::StrCat("fork ", i);
      std::span<const uint8_t> v(reinterpret_cast<const uint8_t*>(e.data()), e.size());
      ASSERT_TRUE(fork->Append(std::span(&v, 1)).ok());
    }
    absl::MutexLock lock(&witnesses_[2]->mu);
    auto a = witnesses_[2]->witness->AddCheckpoint(
        FormatAddCheckpoint({0, {}, fork->signed_checkpoint()}));
    ASSERT_EQ(a.status, 200) << a.body;
  }
  Append(4);
  Start();
  ASSERT_TRUE(WaitCosigned({"b.example/witness", "c.example/witness"}));
  ASSERT_TRUE(test::WaitFor([&] {
    std::optional<WitnessStatus> d = StatusOf("d.example/witness");
    return d && !d->last_error.empty();
  }));
  std::optional<WitnessStatus> d = StatusOf("d.example/witness");
  EXPECT_THAT(d->last_error, HasSubstr("witness claims size 9 > log size 4"));
  EXPECT_THAT(d->last_error, HasSubstr("misbehaves"));
  EXPECT_EQ(d->cosigned_size, 9u);
  // Skipped, not retried, while the log stays at or below that size.
  const int failures = d->consecutive_failures;
  Append(1);
  ASSERT_TRUE(witnessing_->WaitPublished(5, absl::Seconds(5)));
  // D is passed over by every round, and at least one whole round follows size 5.
  ASSERT_TRUE(witnessing_->WaitRounds(witnessing_->rounds() + 2, absl::Seconds(10)));
  d = StatusOf("d.example/witness");
  EXPECT_EQ(d->consecutive_failures, failures);
  // Past its size, the log is tried again: a fork cannot be consistent, so 422.
  Append(6);
  ASSERT_TRUE(test::WaitFor([&] {
    std::optional<WitnessStatus> d = StatusOf("d.example/witness");
    return d && d->consecutive_failures > failures;
  }));
  d = StatusOf("d.example/witness");
  EXPECT_THAT(d->last_error, HasSubstr("422"));
}

}  // namespace
}  // namespace accord::federation
