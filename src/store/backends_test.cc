// The embedded bundle: what it opens, and where, with and without the federation's part.
#include "src/store/backends.h"

#include <gtest/gtest.h>

#include "src/test/temp_dir.h"

namespace accord::store {
namespace {

namespace fs = std::filesystem;

TEST(EmbeddedBackends, ANodeAloneOpensTheLogAndTheIndexOnly) {
  test::TempDir dir;
  auto b = OpenEmbeddedBackends(dir.path() / "a", /*federated=*/false);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_NE(b->log, nullptr);
  ASSERT_NE(b->index, nullptr);
  EXPECT_EQ(b->witness, nullptr);
  EXPECT_EQ(b->published, nullptr);
  EXPECT_EQ(b->monitor, nullptr);
  EXPECT_EQ(b->log->Describe(), (dir.path() / "a/log").string());
  EXPECT_TRUE(fs::exists(dir.path() / "a/index.sqlite"));
  EXPECT_FALSE(fs::exists(dir.path() / "a/federation.sqlite"));
}

TEST(EmbeddedBackends, AFederatedNodeKeepsTheLayoutOfEarlierVersions) {
  test::TempDir dir;
  auto b = OpenEmbeddedBackends(dir.path(), /*federated=*/true);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_NE(b->witness, nullptr);
  ASSERT_NE(b->published, nullptr);
  ASSERT_NE(b->monitor, nullptr);
  EXPECT_EQ(b->monitor_where, (dir.path() / "federation.sqlite").string());
  ASSERT_TRUE(b->published->CompareAndSwap("checkpoint.witnessed", std::nullopt, "p").ok());
  EXPECT_TRUE(fs::exists(dir.path() / "checkpoint.witnessed"));
  ASSERT_TRUE(b->witness->CompareAndSwap("cert.b.example/log", std::nullopt, "w").ok());
  EXPECT_EQ(b->witness->Describe(), (dir.path() / "witness").string());
  EXPECT_FALSE(fs::is_empty(dir.path() / "witness"));
}

}  // namespace
}  // namespace accord::store
