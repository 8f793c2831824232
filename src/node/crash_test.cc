// kill -9 under load: `accord serve` runs as a real process, clients submit
// concurrently, the node is killed at a random moment and restarted on the same data
// folder, and then every acknowledged statement must be in the log and the new
// checkpoint consistent with every checkpoint handed out before. A verifier reading
// only the published bytes checks it (HttpLogStorage: nothing from the server is
// trusted), and after every kill Go's x/mod tlog (interop/go, an implementation no one
// here wrote) verifies the data folder exactly as the crash left it.
// scripts/crash-campaign runs many more rounds.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "src/log/log.h"
#include "src/node/client.h"
#include "src/node/crash_testing.h"
#include "src/node/testing.h"
#include "src/note/checkpoint.h"
#include "src/store/durable_file.h"
#include "src/test/process.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"
#include "src/util/strings.h"

namespace accord::node {
namespace {

using nlohmann::json;

constexpr char kOrigin[] = "crash.example/log";

struct Acked {
  uint64_t index;
  tlog::Hash leaf;
};

absl::StatusOr<std::pair<test::ChildProcess, std::string>> StartNode(
    const std::filesystem::path& data) {
  auto child = test::ChildProcess::Start({ACCORD_CLI, "serve", "--data", data.string(), "--listen",
                                          "127.0.0.1:0", "--name", kOrigin, "--json",
                                          "--batch-delay-ms", "2"});
  if (!child.ok()) return child.status();
  auto line = child->ReadLine(absl::Seconds(30));
  if (!line.ok()) return line.status();
  json j = json::parse(*line, nullptr, false);
  if (!j.is_object() || !j.contains("url")) {
    return absl::InternalError(absl::StrCat("unexpected start-up line: ", *line));
  }
  return std::make_pair(*std::move(child), j["url"].get<std::string>());
}

TEST(NodeCrash, KillNineUnderLoadLosesNothingAcknowledgedAndNeverForks) {
  testing::TempDir dir;
  const auto data = dir.path() / "data";
  std::vector<Acked> acked;
  std::vector<std::string> checkpoints;  // every checkpoint any receipt carried
  absl::Mutex mu;
  std::mt19937 rng(std::random_device{}());
  int nonce = 0;
  // 5 in CI; scripts/crash-campaign runs ≥ 100 (ACCORD_CRASH_ROUNDS).
  const char* rounds_env = std::getenv("ACCORD_CRASH_ROUNDS");
  const int kRounds = rounds_env ? std::max(1, std::atoi(rounds_env)) : 5;
  constexpr int kClients = 4;
  std::unique_ptr<note::Verifier> vkey;
  std::string vkey_text;
  for (int round = 0; round < kRounds; ++round) {
    auto node = StartNode(data);
    ASSERT_TRUE(node.ok()) << node.status();
    auto& [child, node_url] = *node;
    const std::string url = node_url;  // a copy: clang 14 cannot capture a structured binding
    if (!vkey) {
      auto v = note::NewVerifier(util::StripWhitespace(*store::ReadWholeFile(data / "party.vkey")));
      ASSERT_TRUE(v.ok()) << v.status();
      vkey = *std::move(v);
      vkey_text = util::StripWhitespace(*store::ReadWholeFile(data / "party.vkey"));
    }
    const auto party = testing::KeyFromFile(data / "party.key");
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    const int base = nonce;
    nonce += 1000000;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        auto client = *NodeClient::Create(url);
        for (int i = 0; !stop.load(); ++i) {
          const std::string env = testing::SignedExample(statement::Kind::kIncident, kOrigin, party,
                                                         base + c * 100000 + i);
          auto r = client->Submit(env);
          if (!r.ok()) continue;  // the node may be dying; only acknowledgements count
          if (!VerifyReceipt(*r, env, *vkey).ok()) {
            ADD_FAILURE() << "a receipt did not verify";
            continue;
          }
          absl::MutexLock lock(&mu);
          acked.push_back({r->index, r->leaf_hash});
          checkpoints.push_back(r->checkpoint);
        }
      });
    }
    // Let the load run for a random while, then kill -9.
    absl::SleepFor(absl::Milliseconds(150 + rng() % 600));
    child.Kill(SIGKILL);
    stop = true;
    for (auto& t : clients) t.join();
    testing::GoVerifies(data / "log", vkey_text, absl::StrCat("after kill ", round + 1));
  }
  // Restart once more and check everything from the published bytes.
  auto node = StartNode(data);
  ASSERT_TRUE(node.ok()) << node.status();
  auto storage = *HttpLogStorage::Create(node->second);
  auto log = log::Log::OpenReadOnly(std::move(storage), *vkey);
  ASSERT_TRUE(log.ok()) << log.status();
  const note::Checkpoint now = (*log)->checkpoint();
  ASSERT_GT(acked.size(), 0u);
  for (const auto& a : acked) {
    ASSERT_LT(a.index, now.size);
    auto entry = (*log)->ReadEntry(a.index);
    ASSERT_TRUE(entry.ok()) << entry.status();
    ASSERT_EQ(tlog::LeafHash(util::AsBytes(*entry)), a.leaf) << "acknowledged entry " << a.index;
  }
  std::sort(checkpoints.begin(), checkpoints.end());
  checkpoints.erase(std::unique(checkpoints.begin(), checkpoints.end()), checkpoints.end());
  for (const auto& text : checkpoints) {
    auto old = note::OpenCheckpoint(text, kOrigin, *vkey);
    ASSERT_TRUE(old.ok());
    const auto& o = old->checkpoint;
    auto proof = (*log)->ConsistencyProof(o.size, now.size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_TRUE(tlog::VerifyConsistency(o.size, now.size, o.root_hash, now.root_hash, *proof).ok())
        << "checkpoint of size " << o.size << " is not a prefix of the restarted log";
  }
  // A nonce past 10^6 µs moves `issued` into the next second, where another client's
  // may land: the node answers such a repeat as a duplicate, with the same index.
  std::set<uint64_t> distinct;
  for (const auto& a : acked) distinct.insert(a.index);
  std::printf(
      "crash test: %d kills, %zu statements acknowledged (%zu receipts), all present; %zu "
      "checkpoints consistent with the final one (size %llu)%s\n",
      kRounds, distinct.size(), acked.size(), checkpoints.size(),
      static_cast<unsigned long long>(now.size),
#ifdef ACCORD_GO_INTEROP
      "; Go's verifier accepted the log after every kill"
#else
      ""
#endif
  );
}

}  // namespace
}  // namespace accord::node
