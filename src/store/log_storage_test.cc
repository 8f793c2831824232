// The LogStorage contract, run against every implementation (PostgreSQL on a real server) — above
// all the commit's compare-and-swap, across handles that stand for separate processes — then what
// only the folder (paths, its lock) and only the memory fake (its hooks) promise.
#include "src/store/log_storage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/store/folder_lock.h"
#include "src/store/postgres.h"
#include "src/test/postgres.h"
#include "src/test/temp_dir.h"

namespace accord::store {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Make() opens another handle on one and the same log: another PosixLogStorage (its own
// open file description, as another process has), or another MemoryLogStorage handle.
struct LogFolderMaker {
  test::TempDir dir;
  std::unique_ptr<LogStorage> Make() {
    return std::make_unique<PosixLogStorage>(dir.path() / "log");
  }
};
struct LogMemoryMaker {
  MemoryLogStorage first;
  std::unique_ptr<LogStorage> Make() { return first.Share(); }
};
// Another handle is another log object on the pool: each commit takes its own
// connection, as another front end's would.
struct LogPostgresMaker {
  std::shared_ptr<PostgresDatabase> db =
      *PostgresDatabase::Connect(*test::SharedPostgres().CreateDatabase());
  std::unique_ptr<LogStorage> Make() { return db->Log(); }
};

template <typename Maker>
class LogStorageContract : public ::testing::Test {
 protected:
  Maker maker_;
  std::unique_ptr<LogStorage> a_ = maker_.Make();
  std::unique_ptr<LogStorage> b_ = maker_.Make();
};
using LogMakers = ::testing::Types<LogFolderMaker, LogMemoryMaker, LogPostgresMaker>;
TYPED_TEST_SUITE(LogStorageContract, LogMakers);

TYPED_TEST(LogStorageContract, CommitsOnlyFromTheStoredCheckpointAndOtherwiseWritesNothing) {
  LogStorage& a = *this->a_;
  LogStorage& b = *this->b_;
  EXPECT_TRUE(absl::IsNotFound(a.Read(kCheckpointPath).status()));
  const LogObject t1[] = {{"tile/0/000.p/1", "tile by a"}};
  ASSERT_TRUE(a.Commit(t1, std::nullopt, "cp1").ok());
  EXPECT_EQ(*b.Read(kCheckpointPath), "cp1");
  EXPECT_EQ(*b.Read("tile/0/000.p/1"), "tile by a");

  // Creating again, from either handle, is the lost race.
  EXPECT_TRUE(absl::IsFailedPrecondition(b.Commit({}, std::nullopt, "other")));
  // A writer still holding an older (or made-up) view: refused, nothing written — not
  // even the tiles, which would otherwise overwrite what the stored checkpoint covers.
  ASSERT_TRUE(a.Commit({}, "cp1", "cp2").ok());
  const LogObject stale[] = {{"tile/0/000.p/1", "tile by b"}, {"tile/0/000.p/2", "new"}};
  absl::Status lost = b.Commit(stale, "cp1", "cp2-by-b");
  EXPECT_TRUE(absl::IsFailedPrecondition(lost)) << lost;
  EXPECT_THAT(lost.message(), HasSubstr("another writer committed first"));
  EXPECT_EQ(*a.Read(kCheckpointPath), "cp2");
  EXPECT_EQ(*a.Read("tile/0/000.p/1"), "tile by a");
  EXPECT_TRUE(absl::IsNotFound(a.Read("tile/0/000.p/2").status()));
  // From what is stored, b goes through.
  ASSERT_TRUE(b.Commit(stale, "cp2", "cp3").ok());
  EXPECT_EQ(*a.Read("tile/0/000.p/2"), "new");
  EXPECT_EQ(*a.Read(kCheckpointPath), "cp3");
}

// Writers on separate handles racing from one checkpoint: exactly one commit per round.
TYPED_TEST(LogStorageContract, ConcurrentCommitsFromOneCheckpointHaveOneWinner) {
  std::vector<std::unique_ptr<LogStorage>> writers;
  for (int i = 0; i < 4; ++i) writers.push_back(this->maker_.Make());
  ASSERT_TRUE(writers[0]->Commit({}, std::nullopt, "0").ok());
  for (int round = 0; round < 10; ++round) {
    const std::string from = *writers[0]->Read(kCheckpointPath);
    std::atomic<int> wins{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        const std::string mine = absl::StrCat(round, "-", t);
        const LogObject o[] = {{absl::StrCat("tile/entries/000.p/", round + 1), mine}};
        absl::Status s = writers[t]->Commit(o, from, mine);
        if (s.ok()) {
          ++wins;
        } else {
          EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(wins.load(), 1) << "round " << round;
    // The winner's tile is the one stored: no loser wrote over it.
    const std::string now = *writers[0]->Read(kCheckpointPath);
    EXPECT_EQ(*writers[1]->Read(absl::StrCat("tile/entries/000.p/", round + 1)), now);
  }
}

TEST(PosixLogStorage, KeepsObjectsAtTheirC2spPathsAndCreatesTheFolderOnlyWhenCreating) {
  test::TempDir dir;
  PosixLogStorage s(dir.path() / "log");
  absl::Status none = s.Commit({}, "cp0", "cp1");
  EXPECT_TRUE(absl::IsNotFound(none)) << none;
  EXPECT_FALSE(fs::exists(dir.path() / "log"));  // nothing made
  const LogObject objs[] = {{"tile/0/x001/234.p/5", "abc"}};
  ASSERT_TRUE(s.Commit(objs, std::nullopt, "cp").ok());
  EXPECT_TRUE(fs::exists(dir.path() / "log/tile/0/x001/234.p/5"));
  EXPECT_EQ(*s.Read("checkpoint"), "cp");
  EXPECT_TRUE(absl::IsNotFound(s.Read("tile/0/000").status()));
}

TEST(PosixLogStorage, RefusesPathsOutsideTheLog) {
  test::TempDir dir;
  PosixLogStorage s(dir.path() / "log");
  for (const char* bad :
       {"../escape", "/etc/passwd", "tile/../../x", "", "tile//0", "./checkpoint"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(s.Read(bad).status())) << bad;
    const LogObject o[] = {{bad, "x"}};
    EXPECT_TRUE(absl::IsInvalidArgument(s.Commit(o, std::nullopt, "cp"))) << bad;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "escape"));
  EXPECT_FALSE(fs::exists(dir.path() / "log"));
}

TEST(PosixLogStorage, DeletePartialsRemovesOnlyPartials) {
  test::TempDir dir;
  PosixLogStorage s(dir.path());
  const LogObject objs[] = {{"tile/0/000.p/1", "a"},
                            {"tile/0/000.p/2", "b"},
                            {"tile/0/000", "c"},
                            {"tile/0/001.p/1", "d"}};
  ASSERT_TRUE(s.Commit(objs, std::nullopt, "cp").ok());
  ASSERT_TRUE(s.DeletePartials("tile/0/000").ok());
  ASSERT_TRUE(s.DeletePartials("tile/0/000").ok());  // idempotent
  EXPECT_FALSE(fs::exists(dir.path() / "tile/0/000.p"));
  EXPECT_EQ(*s.Read("tile/0/000"), "c");
  EXPECT_EQ(*s.Read("tile/0/001.p/1"), "d");
}

// The commit lock is DIR/.lock, the file every earlier accord held for its whole life:
// a commit waits while anyone holds it, and after `lock_wait` says so instead of hanging.
TEST(PosixLogStorage, ACommitWaitsForTheFolderLockAndThenSaysWhoHoldsItUp) {
  test::TempDir dir;
  PosixLogStorage s(dir.path(), {.lock_wait = absl::Milliseconds(200)});
  ASSERT_TRUE(s.Commit({}, std::nullopt, "cp1").ok());
  {
    auto held = FolderLock::Acquire(dir.path());
    ASSERT_TRUE(held.ok()) << held.status();  // the lock is free between commits
    absl::Status waited = s.Commit({}, "cp1", "cp2");
    EXPECT_TRUE(absl::IsUnavailable(waited)) << waited;
    EXPECT_THAT(waited.message(), HasSubstr(".lock"));
    EXPECT_EQ(*s.Read(kCheckpointPath), "cp1");
  }
  // Released: the next commit goes through, and a holder that lets go in time is waited for.
  auto held = FolderLock::Acquire(dir.path());
  std::thread release([&held] {
    absl::SleepFor(absl::Milliseconds(50));
    held->reset();
  });
  EXPECT_TRUE(s.Commit({}, "cp1", "cp2").ok());
  release.join();
  EXPECT_EQ(*s.Read(kCheckpointPath), "cp2");
}

TEST(MemoryLogStorage, FailureHooksPersistOrNotThroughEveryHandle) {
  MemoryLogStorage s;
  auto other = s.Share();
  const LogObject objs[] = {{"a", "1"}, {"b", "2"}};
  s.FailAfter(1, MemoryLogStorage::FailMode::kFailAndDontPersist);
  EXPECT_FALSE(other->Commit(objs, std::nullopt, "cp").ok());
  EXPECT_EQ(*s.Read("a"), "1");
  EXPECT_TRUE(absl::IsNotFound(s.Read("b").status()));
  s.FailAfter(2, MemoryLogStorage::FailMode::kFailAndPersist);  // the checkpoint's write
  EXPECT_FALSE(s.Commit(objs, std::nullopt, "cp").ok());
  EXPECT_EQ(*other->Read("b"), "2");
  EXPECT_EQ(*other->Read(kCheckpointPath), "cp");  // persisted though it "failed"
  EXPECT_TRUE(s.Commit(objs, "cp", "cp2").ok());   // the hook fires once
  EXPECT_EQ(s.writes(), 1 + 3 + 3);
  const LogObject partials[] = {{"tile/0/000.p/3", "x"}, {"tile/0/0000", "y"}};
  ASSERT_TRUE(s.Commit(partials, "cp2", "cp3").ok());
  ASSERT_TRUE(s.DeletePartials("tile/0/000").ok());
  EXPECT_TRUE(absl::IsNotFound(s.Read("tile/0/000.p/3").status()));
  EXPECT_EQ(*s.Read("tile/0/0000"), "y");
  // A copy is independent of the original.
  MemoryLogStorage copy(s.Snapshot());
  ASSERT_TRUE(copy.Commit({}, "cp3", "cp4").ok());
  EXPECT_EQ(*s.Read(kCheckpointPath), "cp3");
}

}  // namespace
}  // namespace accord::store
