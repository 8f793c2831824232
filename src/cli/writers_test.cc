// One writer per folder, end to end through the real binary: while
// `accord serve` runs on a data folder, a second `accord serve` on it and `accord log
// append` on its log are refused, naming the running node, and nothing is written; once
// the node is killed (kill -9) the folder opens again, every acknowledged statement there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

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
    const fs::path file = scratch_.path() / absl::StrCat("incident-", nonce, ".json");
    std::ofstream(file)
        << node::testing::ExamplePayload(statement::Kind::kIncident, node.origin(), nonce).dump();
    testing::RunResult r =
        Accord({"submit", "--node", node.url(), "--key", (data() / "party.key").string(), "--kind",
                "incident", file.string()},
               scratch_.path());
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false).value("index", uint64_t{0});
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

}  // namespace
}  // namespace accord::cli
