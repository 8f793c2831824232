// The CheckpointStore contract, run against every implementation; then what only the
// folder (names, files, crash points) and only the memory fake (its hooks) promise.
#include "src/store/checkpoint_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/store/postgres.h"
#include "src/test/postgres.h"
#include "src/test/temp_dir.h"

namespace accord::store {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct FolderMaker {
  test::TempDir dir;
  std::unique_ptr<CheckpointStore> Make() {
    return std::make_unique<FolderCheckpointStore>(dir.path() / "checkpoints");
  }
};
struct MemoryMaker {
  std::unique_ptr<CheckpointStore> Make() { return std::make_unique<MemoryCheckpointStore>(); }
};
struct PostgresMaker {
  std::shared_ptr<PostgresDatabase> db =
      *PostgresDatabase::Connect(*test::SharedPostgres().CreateDatabase());
  std::unique_ptr<CheckpointStore> Make() { return db->Checkpoints("witness"); }
};

template <typename Maker>
class CheckpointStoreContract : public ::testing::Test {
 protected:
  Maker maker_;
  std::unique_ptr<CheckpointStore> store_ = maker_.Make();
};
using Makers = ::testing::Types<FolderMaker, MemoryMaker, PostgresMaker>;
TYPED_TEST_SUITE(CheckpointStoreContract, Makers);

TYPED_TEST(CheckpointStoreContract, AbsentUntilCreatedThenReplacedOnlyFromWhatIsStored) {
  CheckpointStore& s = *this->store_;
  EXPECT_EQ(s.Get("cert.a.example/log").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(s.CompareAndSwap("cert.a.example/log", std::nullopt, "one").ok());
  EXPECT_EQ(*s.Get("cert.a.example/log"), "one");
  // Created only where nothing is stored.
  EXPECT_EQ(s.CompareAndSwap("cert.a.example/log", std::nullopt, "two").code(),
            absl::StatusCode::kFailedPrecondition);
  // Replaced only from the value stored now.
  EXPECT_EQ(s.CompareAndSwap("cert.a.example/log", "stale", "two").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*s.Get("cert.a.example/log"), "one");
  ASSERT_TRUE(s.CompareAndSwap("cert.a.example/log", "one", "two").ok());
  EXPECT_EQ(*s.Get("cert.a.example/log"), "two");
  // Expecting something where nothing is stored fails too.
  EXPECT_EQ(s.CompareAndSwap("cert.b.example/log", "two", "x").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Get("cert.b.example/log").status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(CheckpointStoreContract, NamesAreAnyBytesAndIndependent) {
  CheckpointStore& s = *this->store_;
  const std::vector<std::string> names = {"a/b", "../../etc/passwd", std::string("n\0ul", 4),
                                          "ünïcode", ""};
  for (const std::string& n : names) ASSERT_TRUE(s.CompareAndSwap(n, std::nullopt, n + "!").ok());
  for (const std::string& n : names) EXPECT_EQ(*s.Get(n), n + "!");
}

// Of many writers racing from the same value, exactly one wins each round: what a
// witness needs so that two requests cannot both advance (and one roll back) a log.
TYPED_TEST(CheckpointStoreContract, ConcurrentSwapsFromOneValueHaveOneWinner) {
  CheckpointStore& s = *this->store_;
  ASSERT_TRUE(s.CompareAndSwap("log", std::nullopt, "0").ok());
  for (int round = 0; round < 5; ++round) {
    const std::string from = std::to_string(round * 10);
    std::atomic<int> wins{0};
    std::vector<std::thread> threads;
    for (int t = 1; t <= 4; ++t) {
      threads.emplace_back([&, t] {
        if (s.CompareAndSwap("log", from, std::to_string(round * 10 + t)).ok()) ++wins;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wins.load(), 1);
    auto now = s.Get("log");
    ASSERT_TRUE(now.ok());
    // The next round starts from the winner's value.
    ASSERT_TRUE(s.CompareAndSwap("log", *now, std::to_string((round + 1) * 10)).ok());
  }
}

TEST(FolderCheckpointStore, FilesAreNamedByHashOrPlainAndSurviveReopening) {
  test::TempDir dir;
  {
    FolderCheckpointStore hashed(dir.path() / "w");
    ASSERT_TRUE(hashed.CompareAndSwap("cert.a.example/log", std::nullopt, "cp").ok());
    auto path = hashed.PathOf("cert.a.example/log");
    ASSERT_TRUE(path.ok());
    EXPECT_EQ(path->parent_path(), dir.path() / "w");
    EXPECT_EQ(path->filename().string().size(), 64u);  // hex SHA-256
    EXPECT_TRUE(fs::exists(*path));
  }
  FolderCheckpointStore again(dir.path() / "w");
  EXPECT_EQ(*again.Get("cert.a.example/log"), "cp");

  FolderCheckpointStore plain(dir.path(), FolderCheckpointStore::Naming::kPlain);
  ASSERT_TRUE(plain.CompareAndSwap("checkpoint.witnessed", std::nullopt, "p").ok());
  EXPECT_TRUE(fs::exists(dir.path() / "checkpoint.witnessed"));
  for (const char* bad : {"a/b", "..", ".hidden", ""}) {
    EXPECT_EQ(plain.CompareAndSwap(bad, std::nullopt, "x").code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

// A write that fails at any step leaves the old value or the new one, never a mix or
// nothing: WriteFilesDurably's crash points, one by one.
TEST(FolderCheckpointStore, AFailedWriteLeavesTheOldOrTheNewValue) {
  for (int fail_at = 0; fail_at < 16; ++fail_at) {
    test::TempDir dir;
    int step = 0;
    bool failed = false;
    FaultInjector fault = [&](std::string_view what, const fs::path&) -> absl::Status {
      if (step++ == fail_at) {
        failed = true;
        return absl::InternalError(absl::StrCat("injected at ", std::string(what)));
      }
      return absl::OkStatus();
    };
    {
      FolderCheckpointStore clean(dir.path() / "c");
      ASSERT_TRUE(clean.CompareAndSwap("log", std::nullopt, "old").ok());
    }
    FolderCheckpointStore s(dir.path() / "c", FolderCheckpointStore::Naming::kHashed, fault);
    const absl::Status st = s.CompareAndSwap("log", "old", "new");
    EXPECT_EQ(st.ok(), !failed) << fail_at << ": " << st;
    FolderCheckpointStore reader(dir.path() / "c");
    auto now = reader.Get("log");
    ASSERT_TRUE(now.ok()) << fail_at << ": " << now.status();
    EXPECT_TRUE(*now == "old" || *now == "new") << fail_at << ": " << *now;
    if (st.ok()) EXPECT_EQ(*now, "new");
    if (!failed) break;  // every step has been failed once
  }
}

TEST(MemoryCheckpointStore, FailsAfterNWithOrWithoutStoring) {
  MemoryCheckpointStore s;
  s.FailAfter(1, MemoryCheckpointStore::FailMode::kFailAndPersist);
  ASSERT_TRUE(s.CompareAndSwap("log", std::nullopt, "1").ok());
  EXPECT_THAT(s.CompareAndSwap("log", "1", "2").message(), HasSubstr("injected"));
  EXPECT_EQ(*s.Get("log"), "2");  // persisted
  s.FailAfter(0, MemoryCheckpointStore::FailMode::kFailAndDontPersist);
  EXPECT_FALSE(s.CompareAndSwap("log", "2", "3").ok());
  EXPECT_EQ(*s.Get("log"), "2");                        // not persisted
  EXPECT_TRUE(s.CompareAndSwap("log", "2", "3").ok());  // the hook fires once
  EXPECT_EQ(s.writes(), 3);
}

}  // namespace
}  // namespace accord::store
