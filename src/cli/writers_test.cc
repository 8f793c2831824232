// Writers, end to end through the real binary. One node per data folder: while
// `accord serve` runs on a data folder, a second `accord serve` on it and `accord log
// append` on its log are refused, naming the running node, and nothing is written; once
// the node is killed (kill -9) the folder opens again, every acknowledged statement
// there. Any number of processes on a plain log folder: they append in turn through the
// checkpoint's compare-and-swap, and the log never forks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "src/cli/node_harness.h"
#include "src/node/testing.h"

namespace accord::cli {
namespace {

using testing::Accord;
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::NodeProcess;

class WritersTest : public ::testing::Test {
 protected:
  std::vector<std::string> Serve(const fs::path& data) {
    return {ACCORD_CLI, "serve",
            "--data",   data.string(),
            "--name",   "cert.writers.example/log",
            "--listen", absl::StrCat("127.0.0.1:", testing::FreePort()),
            "--json"};
  }
  // Submits a fresh incident through the node; its index.
  uint64_t Submit(NodeProcess& node, int nonce) {
    return testing::SubmitIncident(node, data() / "party.key", nonce, scratch_.path());
  }
  fs::path data() const { return scratch_.path() / "node"; }

  testing::ScratchDir scratch_{"accord-writers"};
};

TEST_F(WritersTest, ASecondWriterIsRefusedAndNamesTheFirst) {
  auto node = NodeProcess::Start(Serve(data()));
  ASSERT_TRUE(node.ok()) << node.status();
  Submit(**node, 1);
  const auto before = testing::SnapshotOf(data() / "log");
  const std::string holder = absl::StrCat("pid ", (*node)->pid());

  // A second node on the same folder.
  testing::RunResult second = testing::Run(Serve(data()), scratch_.path());
  EXPECT_EQ(second.code, 1);
  EXPECT_THAT(second.err, HasSubstr("in use by another writer"));
  EXPECT_THAT(second.err, HasSubstr(holder));

  // Appending to the node's log behind its back: the README's old tour, which forked it.
  testing::RunResult append =
      Accord({"log", "append", (data() / "log").string(), "--key", (data() / "party.key").string()},
             scratch_.path(), "behind the node's back\n");
  EXPECT_EQ(append.code, 1);
  EXPECT_THAT(append.err, HasSubstr("in use by another writer"));
  EXPECT_THAT(append.err, HasSubstr(holder));
  EXPECT_EQ(testing::SnapshotOf(data() / "log"), before);  // nothing written

  // The node did not notice and goes on.
  EXPECT_EQ(Submit(**node, 2), 1u);
  EXPECT_TRUE((*node)->StopCleanly());
}

TEST_F(WritersTest, AKilledNodeLeavesNoLockBehind) {
  auto node = NodeProcess::Start(Serve(data()));
  ASSERT_TRUE(node.ok()) << node.status();
  Submit(**node, 1);
  Submit(**node, 2);
  (*node)->Stop();
  node->reset();
  auto again = NodeProcess::Start(Serve(data()));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(testing::LogSize((*again)->http()), 2u);
  EXPECT_EQ(Submit(**again, 3), 2u);
  ASSERT_EQ(::kill((*again)->pid(), SIGKILL), 0);
  again->reset();
  // kill -9: the kernel dropped the lock with the process.
  testing::RunResult append =
      Accord({"log", "append", (data() / "log").string(), "--key", (data() / "party.key").string()},
             scratch_.path(), "by hand, once the node is gone\n");
  EXPECT_EQ(append.code, 0) << append.err;
}

// Processes racing on one folder: every `accord log append` that said OK has its lines
// in the log, at the indexes it printed, and the log verifies as one tree.
TEST_F(WritersTest, ProcessesAppendingToOneLogFolderTakeTurnsAndNeverFork) {
  const fs::path key = scratch_.path() / "log.key";
  const fs::path dir = scratch_.path() / "shared-log";
  testing::RunResult k = Accord(
      {"keygen", "--name", "cert.writers.example/shared", "--out", key.string()}, scratch_.path());
  ASSERT_EQ(k.code, 0) << k.err;
  const std::string vkey = k.out.substr(0, k.out.find('\n'));
  ASSERT_EQ(Accord({"log", "init", dir.string(), "--key", key.string()}, scratch_.path()).code, 0);
  constexpr int kProcesses = 4, kRounds = 5, kLines = 3;
  std::vector<std::vector<std::pair<uint64_t, std::string>>> acked(kProcesses);
  std::vector<std::thread> threads;
  for (int p = 0; p < kProcesses; ++p) {
    threads.emplace_back([&, p] {
      for (int round = 0; round < kRounds; ++round) {
        std::string lines;
        for (int l = 0; l < kLines; ++l)
          absl::StrAppend(&lines, "p", p, "-r", round, "-l", l, "\n");
        testing::RunResult r =
            Accord({"log", "append", dir.string(), "--key", key.string(), "--json"},
                   scratch_.path(), lines);
        ASSERT_EQ(r.code, 0) << r.err;
        auto j = nlohmann::json::parse(r.out, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << r.out;
        acked[p].emplace_back(j.value("first_index", uint64_t{0}), lines);
      }
    });
  }
  for (auto& t : threads) t.join();
  testing::RunResult verify =
      Accord({"log", "verify", dir.string(), "--vkey", vkey, "--json", "--quiet"}, scratch_.path());
  ASSERT_EQ(verify.code, 0) << verify.err;
  constexpr int kTotal = kProcesses * kRounds * kLines;  // < 256: one partial bundle
  EXPECT_EQ(nlohmann::json::parse(verify.out).value("size", 0), kTotal);
  // The entry bundle (C2SP: each entry as a 2-byte big-endian length, then its bytes).
  std::ifstream in(dir / absl::StrCat("tile/entries/000.p/", kTotal), std::ios::binary);
  const std::string bundle{std::istreambuf_iterator<char>(in), {}};
  std::vector<std::string> entries;
  for (size_t at = 0; at + 2 <= bundle.size();) {
    const size_t n =
        (static_cast<unsigned char>(bundle[at]) << 8) | static_cast<unsigned char>(bundle[at + 1]);
    entries.push_back(bundle.substr(at + 2, n));
    at += 2 + n;
  }
  ASSERT_EQ(entries.size(), size_t{kTotal});
  std::set<uint64_t> starts;
  for (const auto& mine : acked) {
    for (const auto& [first, lines] : mine) {
      EXPECT_TRUE(starts.insert(first).second) << "two batches at " << first;
      ASSERT_LE(first + kLines, entries.size());
      std::string there;
      for (int l = 0; l < kLines; ++l) absl::StrAppend(&there, entries[first + l], "\n");
      EXPECT_EQ(there, lines) << "at " << first;
    }
  }
}

}  // namespace
}  // namespace accord::cli
