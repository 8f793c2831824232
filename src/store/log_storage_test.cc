#include "src/store/log_storage.h"

#include <gtest/gtest.h>

#include <random>

namespace accord::store {
namespace {
namespace fs = std::filesystem;

fs::path FreshDir() {
  std::random_device rd;
  return fs::temp_directory_path() /
         ("accord-store-" + std::to_string(rd()) + std::to_string(rd()));
}

TEST(PosixLogStorage, KeepsObjectsAtTheirC2spPaths) {
  const fs::path dir = FreshDir();
  PosixLogStorage s(dir);
  const LogObject objs[] = {{"tile/0/x001/234.p/5", "abc"}, {"checkpoint", "cp"}};
  ASSERT_TRUE(s.Write(objs).ok());
  EXPECT_TRUE(fs::exists(dir / "tile/0/x001/234.p/5"));
  EXPECT_EQ(*s.Read("checkpoint"), "cp");
  EXPECT_TRUE(absl::IsNotFound(s.Read("tile/0/000").status()));
  fs::remove_all(dir);
}

TEST(PosixLogStorage, RefusesPathsOutsideTheLog) {
  const fs::path dir = FreshDir();
  PosixLogStorage s(dir);
  for (const char* bad :
       {"../escape", "/etc/passwd", "tile/../../x", "", "tile//0", "./checkpoint"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(s.Read(bad).status())) << bad;
    const LogObject o[] = {{bad, "x"}};
    EXPECT_TRUE(absl::IsInvalidArgument(s.Write(o))) << bad;
  }
  EXPECT_FALSE(fs::exists(dir.parent_path() / "escape"));
  fs::remove_all(dir);
}

TEST(PosixLogStorage, DeletePartialsRemovesOnlyPartials) {
  const fs::path dir = FreshDir();
  PosixLogStorage s(dir);
  const LogObject objs[] = {{"tile/0/000.p/1", "a"},
                            {"tile/0/000.p/2", "b"},
                            {"tile/0/000", "c"},
                            {"tile/0/001.p/1", "d"}};
  ASSERT_TRUE(s.Write(objs).ok());
  ASSERT_TRUE(s.DeletePartials("tile/0/000").ok());
  ASSERT_TRUE(s.DeletePartials("tile/0/000").ok());  // idempotent
  EXPECT_FALSE(fs::exists(dir / "tile/0/000.p"));
  EXPECT_EQ(*s.Read("tile/0/000"), "c");
  EXPECT_EQ(*s.Read("tile/0/001.p/1"), "d");
  fs::remove_all(dir);
}

TEST(MemoryLogStorage, FailureHooksPersistOrNot) {
  MemoryLogStorage s;
  const LogObject objs[] = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  s.FailAfter(1, MemoryLogStorage::FailMode::kFailAndDontPersist);
  EXPECT_FALSE(s.Write(objs).ok());
  EXPECT_EQ(*s.Read("a"), "1");
  EXPECT_TRUE(absl::IsNotFound(s.Read("b").status()));
  s.FailAfter(1, MemoryLogStorage::FailMode::kFailAndPersist);
  EXPECT_FALSE(s.Write(objs).ok());
  EXPECT_EQ(*s.Read("b"), "2");
  EXPECT_TRUE(absl::IsNotFound(s.Read("c").status()));
  EXPECT_TRUE(s.Write(objs).ok());  // the hook fires once
  EXPECT_EQ(s.Snapshot().size(), 3u);
  const LogObject partials[] = {{"tile/0/000.p/3", "x"}, {"tile/0/0000", "y"}};
  ASSERT_TRUE(s.Write(partials).ok());
  ASSERT_TRUE(s.DeletePartials("tile/0/000").ok());
  EXPECT_TRUE(absl::IsNotFound(s.Read("tile/0/000.p/3").status()));
  EXPECT_EQ(*s.Read("tile/0/0000"), "y");
}

}  // namespace
}  // namespace accord::store
