// Several front ends of one party on one PostgreSQL log (`accord serve --store`), each a
// real process, on a real PostgreSQL server this test starts. Clients submit through
// all of them at once; front ends are killed with SIGKILL at random moments and started
// again; the database itself is killed and restarted under the load. Then: every
// acknowledged statement is in the log at the index its receipt gave, every checkpoint
// any receipt carried is a prefix of the final log (no fork), and the log read through
// each front end — copied out over HTTP into a folder, nothing from the server trusted
// — verifies in full, and Go's x/mod verifier accepts that folder.
// ACCORD_CRASH_ROUNDS sets the number of kills (scripts/crash-campaign runs more).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
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

absl::Status StartFrontEnd(FrontEnd& fe, const std::string& conninfo, const fs::path& key) {
  std::vector<std::string> argv = {ACCORD_CLI,  "serve",           "--data", fe.data.string(),
                                   "--store",   conninfo,          "--listen", "127.0.0.1:0",
                                   "--name",    kPartyOrigin,           "--json", "--batch-delay-ms",
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
  return absl::OkStatus();
}

struct Ack {
  uint64_t index;
  tlog::Hash leaf;
};

TEST(FrontEnds, ThreeFrontEndsKilledAtRandomAndTheDatabaseRestartedLoseNothingAndNeverFork) {
  auto server = test::PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  auto conninfo = (*server)->CreateDatabase();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  testing::TempDir dir;
  constexpr int kFrontEnds = 3, kClients = 4;
  std::vector<FrontEnd> fes(kFrontEnds);
  for (int i = 0; i < kFrontEnds; ++i) fes[i].data = dir.path() / absl::StrCat("fe", i);
  // The first front end creates the party key; the others use that file.
  ASSERT_TRUE(StartFrontEnd(fes[0], *conninfo, {}).ok());
  const fs::path key_file = fes[0].data / "party.key";
  for (int i = 1; i < kFrontEnds; ++i) {
    absl::Status s = StartFrontEnd(fes[i], *conninfo, key_file);
    ASSERT_TRUE(s.ok()) << s;
  }
  const std::string vkey_text =
      std::string(util::StripWhitespace(*store::ReadWholeFile(fes[0].data / "party.vkey")));
  auto vkey = *note::NewVerifier(vkey_text);
  const auto party = testing::KeyFromFile(key_file);

  absl::Mutex mu;
  std::vector<std::string> urls;  // guarded by mu: the front ends' current addresses
  for (const auto& fe : fes) urls.push_back(fe.url);
  std::vector<Ack> acked;
  std::vector<std::string> checkpoints;
  std::atomic<bool> stop{false};
  std::atomic<int> answered_by[kFrontEnds] = {};
  std::vector<std::thread> clients;
  struct JoinAtExit {  // a failed ASSERT returns early: the clients stop first
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~JoinAtExit() {
      stop = true;
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } join_at_exit{stop, clients};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      std::mt19937 pick(c);
      for (int i = 0; !stop.load(); ++i) {
        const int which = static_cast<int>(pick() % kFrontEnds);
        std::string url;
        {
          absl::MutexLock lock(&mu);
          url = urls[which];
        }
        auto client = NodeClient::Create(url);
        if (!client.ok()) continue;
        // Nonces below 10^6 are microseconds within the second of `issued`, so no two
        // submissions are the same statement (which the node would answer as a duplicate).
        const std::string env = testing::SignedExample(statement::Kind::kIncident, kPartyOrigin,
                                                       party, (i * kClients + c) % 1000000);
        auto r = (*client)->Submit(env);
        if (!r.ok()) continue;  // a front end or the database may be down: only acks count
        if (!VerifyReceipt(*r, env, *vkey).ok()) {
          ADD_FAILURE() << "a receipt did not verify";
          continue;
        }
        ++answered_by[which];
        absl::MutexLock lock(&mu);
        acked.push_back({r->index, r->leaf_hash});
        checkpoints.push_back(r->checkpoint);
      }
    });
  }

  const char* rounds_env = std::getenv("ACCORD_CRASH_ROUNDS");
  const int kRounds = rounds_env ? std::max(1, std::atoi(rounds_env)) : 3;
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < kRounds; ++round) {
    absl::SleepFor(absl::Milliseconds(300 + rng() % 500));
    FrontEnd& victim = fes[rng() % kFrontEnds];
    victim.child->Kill(SIGKILL);
    victim.child.reset();
    absl::Status s = StartFrontEnd(victim, *conninfo, key_file);
    ASSERT_TRUE(s.ok()) << "restart after kill " << round + 1 << ": " << s;
    absl::MutexLock lock(&mu);
    for (int i = 0; i < kFrontEnds; ++i) urls[i] = fes[i].url;
  }
  // The database killed under the load (as a crash would) and started again: the front
  // ends must find it again by themselves.
  size_t before_db_kill;
  {
    absl::MutexLock lock(&mu);
    before_db_kill = acked.size();
  }
  (*server)->Kill();
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_TRUE((*server)->Restart().ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    {
      absl::MutexLock lock(&mu);
      if (acked.size() > before_db_kill + 20) break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  stop = true;
  for (auto& t : clients) t.join();
  clients.clear();
  ASSERT_GT(acked.size(), before_db_kill + 20) << "no acknowledgements after the database restart";
  for (int i = 0; i < kFrontEnds; ++i) {
    EXPECT_GT(answered_by[i].load(), 0) << "front end " << i << " acknowledged nothing";
  }

  // Idle, every front end takes up what the others appended: they come to serve one
  // checkpoint.
  const auto served = [&](int i) -> uint64_t {
    auto http = HttpLogStorage::Create(fes[i].url);
    if (!http.ok()) return 0;
    auto text = (*http)->Read("checkpoint");
    if (!text.ok()) return 0;
    auto cp = note::OpenCheckpoint(*text, kPartyOrigin, *vkey);
    return cp.ok() ? cp->checkpoint.size : 0;
  };
  uint64_t final_size = 0;
  for (const absl::Time until = absl::Now() + absl::Seconds(10); absl::Now() < until;) {
    const uint64_t a = served(0), b = served(1), c = served(2);
    final_size = std::max({a, b, c});
    if (a == b && b == c) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  for (int i = 0; i < kFrontEnds; ++i) ASSERT_EQ(served(i), final_size) << "front end " << i;

  // Through each front end: the published bytes copied into a folder, verified, and Go's
  // verifier on that folder; every acknowledged entry there; every checkpoint a prefix.
  for (int i = 0; i < kFrontEnds; ++i) {
    auto http = HttpLogStorage::Create(fes[i].url);
    ASSERT_TRUE(http.ok());
    const fs::path out = dir.path() / absl::StrCat("export-", i) / "log";
    store::PosixLogStorage folder(out);
    auto copied = log::CopyLog(**http, folder, *vkey);
    ASSERT_TRUE(copied.ok()) << "through front end " << i << ": " << copied.status();
    testing::GoVerifies(out, vkey_text, absl::StrCat("read through front end ", i));
    auto log = *log::Log::OpenReadOnly(std::make_unique<store::PosixLogStorage>(out), *vkey);
    const note::Checkpoint now = log->checkpoint();
    ASSERT_EQ(now.size, final_size);
    absl::MutexLock lock(&mu);
    for (const Ack& a : acked) {
      ASSERT_LT(a.index, now.size);
      auto entry = log->ReadEntry(a.index);
      ASSERT_TRUE(entry.ok()) << entry.status();
      ASSERT_EQ(tlog::LeafHash(util::AsBytes(*entry)), a.leaf) << "acknowledged entry " << a.index;
    }
    std::sort(checkpoints.begin(), checkpoints.end());
    checkpoints.erase(std::unique(checkpoints.begin(), checkpoints.end()), checkpoints.end());
    for (const auto& text : checkpoints) {
      auto old = note::OpenCheckpoint(text, kPartyOrigin, *vkey);
      ASSERT_TRUE(old.ok());
      const auto& o = old->checkpoint;
      ASSERT_LE(o.size, now.size);
      auto proof = log->ConsistencyProof(o.size, now.size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_TRUE(
          tlog::VerifyConsistency(o.size, now.size, o.root_hash, now.root_hash, *proof).ok())
          << "a checkpoint of size " << o.size << " is not a prefix: a fork";
    }
  }
  std::set<uint64_t> distinct;
  for (const Ack& a : acked) distinct.insert(a.index);
  std::printf(
      "front ends: %d front ends, %d kills and a database restart, %zu statements "
      "acknowledged (%zu receipts: %d / %d / %d by front end), all present, %zu checkpoints "
      "consistent, log size %llu%s\n",
      kFrontEnds, kRounds, distinct.size(), acked.size(), answered_by[0].load(), answered_by[1].load(),
      answered_by[2].load(), checkpoints.size(), static_cast<unsigned long long>(final_size),
      testing::kGoVerifies ? "; Go's verifier accepted the log read through each front end" : "");
}

}  // namespace
}  // namespace accord::node
