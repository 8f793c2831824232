// `accord store migrate` and `accord store export` end to end, through the real binary
// and a real PostgreSQL: a node's data folder moved into the database, the node started
// there with its statements and witness state intact, then moved back and exported as a
// static folder that `accord log verify` accepts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "src/cli/node_harness.h"
#include "src/node/testing.h"
#include "src/test/postgres.h"

namespace accord::cli {
namespace {

using testing::Accord;
using testing::NodeProcess;
namespace fs = std::filesystem;
using ::testing::HasSubstr;

class StoreTest : public ::testing::Test {
 protected:
  std::vector<std::string> Serve(const std::string& store) {
    return {ACCORD_CLI, "serve",       "--data", data().string(),
            "--store",  store,         "--name", "cert.store.example/log",
            "--listen", "127.0.0.1:0", "--json"};
  }
  uint64_t Submit(NodeProcess& node, int nonce) {
    return testing::SubmitIncident(node, data() / "party.key", nonce, scratch_.path());
  }
  fs::path data() const { return scratch_.path() / "node"; }
  testing::ScratchDir scratch_{"accord-store"};
};

TEST_F(StoreTest, MigratesIntoPostgresServesThereAndComesBackVerified) {
  const auto conninfo = test::SharedPostgres().CreateDatabase();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  {
    auto node = NodeProcess::Start(Serve("embedded"));
    ASSERT_TRUE(node.ok()) << node.status();
    for (int i = 0; i < 3; ++i) Submit(**node, i);
    // Moving state under a running node is refused, naming it.
    testing::RunResult busy =
        Accord({"store", "migrate", "--data", data().string(), "--to", *conninfo}, scratch_.path());
    EXPECT_EQ(busy.code, 1);
    EXPECT_THAT(busy.err, HasSubstr("in use by another writer"));
    EXPECT_TRUE((*node)->StopCleanly());
  }
  testing::RunResult in =
      Accord({"store", "migrate", "--data", data().string(), "--to", *conninfo, "--json"},
             scratch_.path());
  ASSERT_EQ(in.code, 0) << in.err;
  EXPECT_EQ(nlohmann::json::parse(in.out).value("size", 0), 3);
  // Twice: the destination already holds a log.
  testing::RunResult again =
      Accord({"store", "migrate", "--data", data().string(), "--to", *conninfo}, scratch_.path());
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("already holds a log"));

  {
    auto node = NodeProcess::Start(Serve(*conninfo));
    ASSERT_TRUE(node.ok()) << node.status();
    EXPECT_EQ(testing::LogSize((*node)->http()), 3u);
    EXPECT_EQ(Submit(**node, 10), 3u);  // the index was rebuilt from the log
    EXPECT_TRUE((*node)->StopCleanly());
  }
  // Back into a fresh data folder's embedded log, then out as a static folder.
  const fs::path back = scratch_.path() / "back";
  fs::create_directories(back);
  fs::copy_file(data() / "party.vkey", back / "party.vkey");
  testing::RunResult out =
      Accord({"store", "migrate", "--data", back.string(), "--from", *conninfo, "--to", "embedded"},
             scratch_.path());
  ASSERT_EQ(out.code, 0) << out.err;
  const fs::path exported = scratch_.path() / "static";
  testing::RunResult exp = Accord(
      {"store", "export", "--data", back.string(), exported.string(), "--json"}, scratch_.path());
  ASSERT_EQ(exp.code, 0) << exp.err;
  EXPECT_EQ(nlohmann::json::parse(exp.out).value("size", 0), 4);
  testing::RunResult verify =
      Accord({"log", "verify", exported.string(), "--vkey", (data() / "party.vkey").string()},
             scratch_.path());
  EXPECT_EQ(verify.code, 0) << verify.err;
  // Export refuses a folder that is not empty, and says what it needs.
  testing::RunResult full =
      Accord({"store", "export", "--data", back.string(), exported.string()}, scratch_.path());
  EXPECT_EQ(full.code, 1);
  EXPECT_THAT(full.err, HasSubstr("not empty"));
  EXPECT_EQ(Accord({"store", "export", exported.string()}, scratch_.path()).code, 1);
}

}  // namespace
}  // namespace accord::cli
