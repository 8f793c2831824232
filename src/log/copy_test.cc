// CopyLog: a whole log arrives verified, or the destination holds no log at all.
#include "src/log/copy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/log/log.h"
#include "src/log/testing.h"
#include "src/store/postgres.h"
#include "src/test/postgres.h"

namespace accord::log {
namespace {

using testing::Entries;
using ::testing::HasSubstr;
using testing::MakeKey;
using testing::TempDir;

TEST(CopyLog, CopiesEveryObjectAndTheCheckpointLastThenVerifies) {
  TempDir dir;
  auto key = MakeKey();
  auto log =
      *Log::Create(std::make_unique<store::PosixLogStorage>(dir.path() / "log"), key.Signer());
  for (uint64_t at = 0; at < 1000; at += 333) {  // full and partial tiles, two levels
    Entries e(at, std::min<uint64_t>(at + 333, 1000));
    ASSERT_TRUE(log->Append(e.views).ok());
  }
  store::MemoryLogStorage copy;
  uint64_t last_progress = 0;
  auto report = CopyLog(log->storage(), copy, *key.Verifier(),
                        [&](uint64_t done, uint64_t) { last_progress = done; });
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->verified.checkpoint.size, 1000u);
  EXPECT_EQ(last_progress, 1000u);
  EXPECT_EQ(*copy.Read(store::kCheckpointPath), log->signed_checkpoint());
  // The copy is a log a writer can go on with.
  auto again = Log::OpenForAppend(copy.Share(), key.Signer());
  ASSERT_TRUE(again.ok()) << again.status();
  Entries more(1000, 1001);
  EXPECT_EQ((*again)->Append(more.views)->first_index, 1000u);
  // Into a storage that holds a log: refused, nothing written.
  const int writes = copy.writes();
  EXPECT_TRUE(absl::IsFailedPrecondition(CopyLog(log->storage(), copy, *key.Verifier()).status()));
  EXPECT_EQ(copy.writes(), writes);
}

TEST(CopyLog, ASourceThatDoesNotVerifyLeavesNoLogBehind) {
  TempDir dir;
  auto key = MakeKey();
  auto log =
      *Log::Create(std::make_unique<store::PosixLogStorage>(dir.path() / "log"), key.Signer());
  Entries e(0, 300);
  ASSERT_TRUE(log->Append(e.views).ok());
  const std::string garbage(10, 'x');  // FileWrite borrows its bytes
  const store::FileWrite bad[] = {{dir.path() / "log/tile/entries/000", garbage}};
  ASSERT_TRUE(store::WriteFilesDurably(bad).ok());
  store::MemoryLogStorage copy;
  auto report = CopyLog(log->storage(), copy, *key.Verifier());
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("does not verify"));
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("tile/entries/000"));
  EXPECT_TRUE(absl::IsNotFound(copy.Read(store::kCheckpointPath).status()));  // unpublished
  // A source whose checkpoint is not signed by the key is refused before any write.
  auto other = MakeKey();
  store::MemoryLogStorage untouched;
  EXPECT_FALSE(CopyLog(log->storage(), untouched, *other.Verifier()).ok());
  EXPECT_EQ(untouched.writes(), 0);
  EXPECT_TRUE(untouched.Snapshot().empty());
}

// From a folder into PostgreSQL and back out into a new folder: the same log, byte for
// byte in every object the checkpoint's tree holds.
TEST(CopyLog, RoundTripsThroughPostgres) {
  TempDir dir;
  auto key = MakeKey();
  auto log =
      *Log::Create(std::make_unique<store::PosixLogStorage>(dir.path() / "log"), key.Signer());
  Entries e(0, 700);
  ASSERT_TRUE(log->Append(e.views).ok());
  auto db = store::PostgresDatabase::Connect(*test::SharedPostgres().CreateDatabase());
  ASSERT_TRUE(db.ok()) << db.status();
  auto pg = (*db)->Log();
  ASSERT_TRUE(CopyLog(log->storage(), *pg, *key.Verifier()).ok());
  store::PosixLogStorage back(dir.path() / "back");
  auto report = CopyLog(*pg, back, *key.Verifier());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->verified.checkpoint.size, 700u);
  for (const char* path :
       {"checkpoint", "tile/entries/002.p/188", "tile/0/001", "tile/1/000.p/2"}) {
    EXPECT_EQ(*back.Read(path), *log->storage().Read(path)) << path;
  }
}

}  // namespace
}  // namespace accord::log
