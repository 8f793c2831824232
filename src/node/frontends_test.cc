// Several front ends of one party on one PostgreSQL log (`accord serve --store`), each a
// real process, on real PostgreSQL servers this test starts. Clients submit through all
// of them at once while things break:
//  - front ends killed with SIGKILL at random moments and started again, then the
//    database itself killed and restarted under the load;
//  - failover: a primary with a synchronous streaming replica (synchronous_commit = on:
//    a commit returns once the replica has flushed it, so an acknowledgement implies the
//    replica has the statement), the primary killed under load, the replica promoted, the
//    front ends finding it by themselves (libpq's host list, target_session_attrs).
//  - PostgreSQL's disk full (its cluster on a small tmpfs in a private mount namespace),
//    then freed;
//  - connections cut mid-transaction: the server's backends serving the front ends
//    terminated (pg_terminate_backend) again and again under the load;
// Then: every acknowledged statement is in the log at the index its receipt gave, every
// checkpoint any receipt carried is a prefix of the final log (no fork), and the log
// read through each front end — copied out over HTTP into a folder, nothing from the
// server trusted — verifies in full, and Go's x/mod verifier accepts that folder.
// ACCORD_CRASH_ROUNDS sets the number of front-end kills (scripts/crash-campaign).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "src/log/copy.h"
#include "src/log/log.h"
#include "src/node/client.h"
#include "src/node/crash_testing.h"
#include "src/node/testing.h"
#include "src/note/checkpoint.h"
#include "src/store/durable_file.h"
#include "src/test/postgres.h"
#include "src/test/process.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"
#include "src/util/strings.h"

namespace accord::node {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr char kPartyOrigin[] = "frontends.example/log";

struct FrontEnd {
  fs::path data;
  std::optional<test::ChildProcess> child;
  std::string url;
};

struct Ack {
  uint64_t index;
  tlog::Hash leaf;
};

// Front ends on one database, clients submitting through them, and the checks at the end.
class FrontEndCampaign : public ::testing::Test {
 protected:
  static constexpr int kFrontEnds = 3, kClients = 4;

  void TearDown() override { StopLoad(); }

  absl::Status StartFrontEnd(FrontEnd& fe, const fs::path& key) {
    std::vector<std::string> argv = {ACCORD_CLI, "serve",      "--data",   fe.data.string(),
                                     "--store",  conninfo_,    "--listen", "127.0.0.1:0",
                                     "--name",   kPartyOrigin, "--json",   "--batch-delay-ms",
                                     "2"};
    if (!key.empty()) {
      argv.push_back("--key");
      argv.push_back(key.string());
    }
    auto child = test::ChildProcess::Start(argv);
    if (!child.ok()) return child.status();
    auto line = child->ReadLine(absl::Seconds(30));
    if (!line.ok()) return line.status();
    json j = json::parse(*line, nullptr, false);
    if (!j.is_object() || !j.contains("url")) {
      return absl::InternalError(absl::StrCat("unexpected start-up line: ", *line));
    }
    fe.url = j["url"].get<std::string>();
    fe.child.emplace(*std::move(child));
    absl::MutexLock lock(&mu_);
    urls_.resize(fes_.size());
    for (size_t i = 0; i < fes_.size(); ++i) urls_[i] = fes_[i].url;
    return absl::OkStatus();
  }

  // Starts every front end on `conninfo`: the first creates the party key, the others
  // use that file.
  void StartAll(std::string conninfo) {
    conninfo_ = std::move(conninfo);
    fes_.resize(kFrontEnds);
    for (int i = 0; i < kFrontEnds; ++i) fes_[i].data = dir_.path() / absl::StrCat("fe", i);
    ASSERT_TRUE(StartFrontEnd(fes_[0], {}).ok());
    key_file_ = fes_[0].data / "party.key";
    for (int i = 1; i < kFrontEnds; ++i) {
      absl::Status s = StartFrontEnd(fes_[i], key_file_);
      ASSERT_TRUE(s.ok()) << s;
    }
    vkey_text_ =
        std::string(util::StripWhitespace(*store::ReadWholeFile(fes_[0].data / "party.vkey")));
    vkey_ = *note::NewVerifier(vkey_text_);
  }

  void Restart(FrontEnd& fe) {
    fe.child->Kill(SIGKILL);
    fe.child.reset();
    absl::Status s = StartFrontEnd(fe, key_file_);
    ASSERT_TRUE(s.ok()) << "restart: " << s;
  }

  void StartLoad() {
    const auto party = testing::KeyFromFile(key_file_);
    for (int c = 0; c < kClients; ++c) {
      clients_.emplace_back([this, c, party] {
        std::mt19937 pick(c);
        for (int i = 0; !stop_.load(); ++i) {
          const int which = static_cast<int>(pick() % kFrontEnds);
          std::string url;
          {
            absl::MutexLock lock(&mu_);
            url = urls_[which];
          }
          auto client = NodeClient::Create(url);
          if (!client.ok()) continue;
          // Nonces below 10^6 are microseconds within the second of `issued`, so no two
          // submissions are one statement (which the node would answer as a duplicate).
          const std::string env = testing::SignedExample(statement::Kind::kIncident, kPartyOrigin,
                                                         party, (i * kClients + c) % 1000000);
          auto r = (*client)->Submit(env);
          if (!r.ok()) {  // a front end or the database may be down: acks count
            const std::string why(r.status().message());
            if (why.find("insufficient-storage") != std::string::npos ||
                why.find("storage-failure") != std::string::npos ||
                why.find("shared log") != std::string::npos) {
              ++refused_for_storage_;
            }
            continue;
          }
          if (!VerifyReceipt(*r, env, *vkey_).ok()) {
            ADD_FAILURE() << "a receipt did not verify";
            continue;
          }
          ++answered_by_[which];
          absl::MutexLock lock(&mu_);
          acked_.push_back({r->index, r->leaf_hash});
          checkpoints_.push_back(r->checkpoint);
        }
      });
    }
  }

  void StopLoad() {
    stop_ = true;
    for (auto& t : clients_) {
      if (t.joinable()) t.join();
    }
    clients_.clear();
  }

  size_t acked() {
    absl::MutexLock lock(&mu_);
    return acked_.size();
  }
  // Waits until `more` statements beyond `from` are acknowledged; whether they were.
  bool AwaitAcks(size_t from, size_t more, absl::Duration timeout) {
    for (const absl::Time until = absl::Now() + timeout; absl::Now() < until;) {
      if (acked() >= from + more) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // The checks (see the top of the file), through every front end. Returns the log size.
  uint64_t VerifyThroughEveryFrontEnd() {
    const auto served = [&](int i) -> uint64_t {
      auto http = HttpLogStorage::Create(fes_[i].url);
      if (!http.ok()) return 0;
      auto text = (*http)->Read("checkpoint");
      if (!text.ok()) return 0;
      auto cp = note::OpenCheckpoint(*text, kPartyOrigin, *vkey_);
      return cp.ok() ? cp->checkpoint.size : 0;
    };
    // Idle, every front end takes up what the others appended: they come to serve one
    // checkpoint.
    uint64_t final_size = 0;
    for (const absl::Time until = absl::Now() + absl::Seconds(10); absl::Now() < until;) {
      const uint64_t a = served(0), b = served(1), c = served(2);
      final_size = std::max({a, b, c});
      if (a == b && b == c) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    absl::MutexLock lock(&mu_);
    std::sort(checkpoints_.begin(), checkpoints_.end());
    checkpoints_.erase(std::unique(checkpoints_.begin(), checkpoints_.end()), checkpoints_.end());
    for (int i = 0; i < kFrontEnds; ++i) {
      EXPECT_EQ(served(i), final_size) << "front end " << i;
      EXPECT_GT(answered_by_[i].load(), 0) << "front end " << i << " acknowledged nothing";
      auto http = HttpLogStorage::Create(fes_[i].url);
      EXPECT_TRUE(http.ok());
      if (!http.ok()) continue;
      const fs::path out = dir_.path() / absl::StrCat("export-", exports_++) / "log";
      store::PosixLogStorage folder(out);
      auto copied = log::CopyLog(**http, folder, *vkey_);
      EXPECT_TRUE(copied.ok()) << "through front end " << i << ": " << copied.status();
      if (!copied.ok()) continue;
      testing::GoVerifies(out, vkey_text_, absl::StrCat("read through front end ", i));
      auto log = *log::Log::OpenReadOnly(std::make_unique<store::PosixLogStorage>(out), *vkey_);
      const note::Checkpoint now = log->checkpoint();
      EXPECT_EQ(now.size, final_size);
      for (const Ack& a : acked_) {
        EXPECT_LT(a.index, now.size) << "an acknowledged statement is missing";
        if (a.index >= now.size) continue;
        auto entry = log->ReadEntry(a.index);
        EXPECT_TRUE(entry.ok()) << entry.status();
        if (!entry.ok()) continue;
        EXPECT_EQ(tlog::LeafHash(util::AsBytes(*entry)), a.leaf)
            << "acknowledged entry " << a.index;
      }
      for (const auto& text : checkpoints_) {
        auto old = note::OpenCheckpoint(text, kPartyOrigin, *vkey_);
        EXPECT_TRUE(old.ok());
        if (!old.ok() || old->checkpoint.size > now.size) {
          ADD_FAILURE() << "a checkpoint beyond the final log";
          continue;
        }
        const auto& o = old->checkpoint;
        auto proof = log->ConsistencyProof(o.size, now.size);
        EXPECT_TRUE(proof.ok()) << proof.status();
        EXPECT_TRUE(
            proof.ok() &&
            tlog::VerifyConsistency(o.size, now.size, o.root_hash, now.root_hash, *proof).ok())
            << "a checkpoint of size " << o.size << " is not a prefix: a fork";
      }
    }
    return final_size;
  }

  // "N statements acknowledged (R receipts: a / b / c by front end), …"
  std::string Summary(uint64_t size) {
    absl::MutexLock lock(&mu_);
    std::set<uint64_t> distinct;
    for (const Ack& a : acked_) distinct.insert(a.index);
    return absl::StrCat(
        distinct.size(), " statements acknowledged (", acked_.size(),
        " receipts: ", answered_by_[0].load(), " / ", answered_by_[1].load(), " / ",
        answered_by_[2].load(), " by front end), all present, ", checkpoints_.size(),
        " checkpoints consistent, log size ", size,
        testing::kGoVerifies ? "; Go's verifier accepted the log read through each front end" : "");
  }

  testing::TempDir dir_;
  std::string conninfo_;
  std::vector<FrontEnd> fes_;
  fs::path key_file_;
  std::string vkey_text_;
  std::shared_ptr<note::Verifier> vkey_;
  int exports_ = 0;

  absl::Mutex mu_;
  std::vector<std::string> urls_ ABSL_GUARDED_BY(mu_);  // the front ends' current addresses
  std::vector<Ack> acked_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> checkpoints_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_by_[kFrontEnds] = {};
  std::atomic<int> refused_for_storage_{0};  // problem answers naming the storage
  std::vector<std::thread> clients_;
};

TEST_F(FrontEndCampaign, FrontEndsKilledAtRandomAndTheDatabaseRestartedLoseNothingAndNeverFork) {
  auto server = test::PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  auto conninfo = (*server)->CreateDatabase();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  ASSERT_NO_FATAL_FAILURE(StartAll(*conninfo));
  StartLoad();
  const char* rounds_env = std::getenv("ACCORD_CRASH_ROUNDS");
  const int kRounds = rounds_env ? std::max(1, std::atoi(rounds_env)) : 3;
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < kRounds; ++round) {
    absl::SleepFor(absl::Milliseconds(300 + rng() % 500));
    ASSERT_NO_FATAL_FAILURE(Restart(fes_[rng() % kFrontEnds]));
  }
  // The database killed under the load, as a crash would, and started again: the front
  // ends find it again by themselves.
  const size_t before = acked();
  (*server)->Kill();
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_TRUE((*server)->Restart().ok());
  EXPECT_TRUE(AwaitAcks(before, 20, absl::Seconds(30))) << "nothing acknowledged after it";
  StopLoad();
  const uint64_t size = VerifyThroughEveryFrontEnd();
  std::printf("front ends: %d front ends, %d kills and a database restart, %s\n", kFrontEnds,
              kRounds, Summary(size).c_str());
}

TEST_F(FrontEndCampaign, ConnectionsCutMidTransactionLoseNothingAndNeverFork) {
  auto server = test::PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  auto conninfo = (*server)->CreateDatabase();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  const size_t at = conninfo->find("dbname=") + 7;
  const std::string dbname = conninfo->substr(at, conninfo->find(' ', at) - at);
  ASSERT_NO_FATAL_FAILURE(StartAll(*conninfo));
  StartLoad();
  ASSERT_TRUE(AwaitAcks(0, 50, absl::Seconds(30)));
  int cuts = 0;
  for (const absl::Time until = absl::Now() + absl::Seconds(3); absl::Now() < until; ++cuts) {
    auto cut = (*server)->Psql(absl::StrCat(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '", dbname,
        "' AND pid <> pg_backend_pid()"));
    ASSERT_TRUE(cut.ok()) << cut.status();
    absl::SleepFor(absl::Milliseconds(100));
  }
  const size_t after_cuts = acked();
  EXPECT_TRUE(AwaitAcks(after_cuts, 50, absl::Seconds(30))) << "the front ends did not recover";
  StopLoad();
  const uint64_t size = VerifyThroughEveryFrontEnd();
  std::printf("connection cuts: %d rounds of every connection terminated; %s\n", cuts,
              Summary(size).c_str());
}

// Fills the file system holding `dir` with files `dir/filler*` until it is full.
void FillDisk(const fs::path& dir) {
  const std::string block(1 << 16, 'f');
  for (int i = 0;; ++i) {
    std::FILE* f = std::fopen((dir / absl::StrCat("filler", i)).c_str(), "wb");
    if (f == nullptr) return;
    size_t written = 0;
    while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) written += block.size();
    std::fclose(f);
    if (written == 0) {
      // Pages partly used: take the last bytes one at a time.
      f = std::fopen((dir / absl::StrCat("filler-last", i)).c_str(), "wb");
      if (f != nullptr) {
        while (std::fputc('f', f) != EOF && std::fflush(f) == 0) {
        }
        std::fclose(f);
      }
      return;
    }
  }
}

TEST_F(FrontEndCampaign, ADatabaseDiskFullRefusesClearlyLosesNothingAndRecovers) {
  if (::geteuid() != 0) GTEST_SKIP() << "PostgreSQL on a tmpfs needs root (mount, setpriv)";
  auto server = test::PostgresServer::Start({.tmpfs_size = "96m"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto conninfo = (*server)->CreateDatabase();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  ASSERT_NO_FATAL_FAILURE(StartAll(*conninfo));
  StartLoad();
  ASSERT_TRUE(AwaitAcks(0, 50, absl::Seconds(30)));
  const fs::path disk = (*server)->DiskSeenFromHere();
  const size_t at_fill = acked();
  FillDisk(disk);
  // Full: within a few seconds submissions are refused, naming the storage.
  for (const absl::Time until = absl::Now() + absl::Seconds(10);
       absl::Now() < until && refused_for_storage_.load() < 10;) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_GE(refused_for_storage_.load(), 10) << "a full disk was not reported";
  const size_t full_at = acked();
  absl::SleepFor(absl::Seconds(1));
  const size_t while_full = acked() - full_at;  // in that second: none expected
  // Room again. PostgreSQL may have stopped by itself (a WAL write that failed is a
  // PANIC); then it is started again, as an operator would.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(disk, ec)) {
    if (e.path().filename().string().starts_with("filler")) fs::remove(e.path(), ec);
  }
  if (!(*server)->alive()) ASSERT_TRUE((*server)->Restart().ok());
  EXPECT_TRUE(AwaitAcks(acked(), 50, absl::Seconds(30)))
      << "no acknowledgements after space came back";
  StopLoad();
  const uint64_t size = VerifyThroughEveryFrontEnd();
  std::printf(
      "disk full: %zu acknowledged while the disk filled up, then %d submissions refused "
      "naming the storage and %zu acknowledged in a second of full disk; after freeing, %s\n",
      full_at - at_fill, refused_for_storage_.load(), while_full, Summary(size).c_str());
}

TEST_F(FrontEndCampaign, FailoverToASynchronousReplicaLosesNothingAcknowledged) {
  auto primary = test::PostgresServer::Start({.settings = {"synchronous_commit=on"}});
  ASSERT_TRUE(primary.ok()) << primary.status();
  auto db = (*primary)->CreateDatabase();
  ASSERT_TRUE(db.ok()) << db.status();
  const size_t at = db->find("dbname=") + 7;
  const std::string dbname = db->substr(at, db->find(' ', at) - at);
  auto replica = test::PostgresServer::StartStandby(**primary, "replica1");
  ASSERT_TRUE(replica.ok()) << replica.status();
  // Synchronous only now that the replica streams (before, every commit would wait).
  ASSERT_TRUE((*primary)->Psql("ALTER SYSTEM SET synchronous_standby_names = 'replica1'").ok());
  ASSERT_TRUE((*primary)->Psql("SELECT pg_reload_conf()").ok());
  std::string sync;
  for (const absl::Time until = absl::Now() + absl::Seconds(10); absl::Now() < until;) {
    sync = (*primary)->Psql("SELECT sync_state FROM pg_stat_replication").value_or("");
    if (sync.find("sync") == 0) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(sync, "sync\n") << "the replica is not synchronous";
  // Both servers, the writable one found by libpq.
  ASSERT_NO_FATAL_FAILURE(StartAll(absl::StrCat(
      "host=", (*primary)->dir().string(), ",", (*replica)->dir().string(),
      " user=accord dbname=", dbname, " target_session_attrs=read-write connect_timeout=2")));
  StartLoad();
  ASSERT_TRUE(AwaitAcks(0, 100, absl::Seconds(30)));
  (*primary)->Kill();
  const size_t at_kill = acked();
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_TRUE((*replica)->Promote().ok());
  EXPECT_TRUE(AwaitAcks(at_kill, 50, absl::Seconds(30)))
      << "the front ends did not find the promoted replica";
  StopLoad();
  const uint64_t size = VerifyThroughEveryFrontEnd();
  std::printf("failover: %zu acknowledged before the primary was killed; %s\n", at_kill,
              Summary(size).c_str());
}

}  // namespace
}  // namespace accord::node
