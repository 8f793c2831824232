// Crash safety: a failure injected at every single write of an append (in memory, and
// at every syscall step in a real folder) leaves a log that reopens at the old or the
// new checkpoint, verifies completely, and keeps growing correctly.
#include <gtest/gtest.h>

#include "src/log/log.h"
#include "src/log/testing.h"
#include "src/log/verify.h"

namespace accord::log {
namespace {

using testing::Entries;
using testing::MakeKey;
using testing::TempDir;

constexpr uint64_t kBefore = 250;  // the batch below then completes a tile and a bundle
constexpr uint64_t kBatch = 300;

// After a failed (or successful) append: the log reopens at kBefore or kBefore+kBatch,
// verifies, holds the right entries, and appends again.
void ExpectRecovers(std::unique_ptr<store::LogStorage> storage, const testing::TestKey& key,
                    const std::string& where) {
  auto log = Log::OpenForAppend(std::move(storage), key.Signer());
  ASSERT_TRUE(log.ok()) << where << ": " << log.status();
  const uint64_t size = (*log)->size();
  ASSERT_TRUE(size == kBefore || size == kBefore + kBatch) << where << ": size " << size;
  auto report = VerifyLog((*log)->storage(), *key.Verifier());
  ASSERT_TRUE(report.ok()) << where << ": " << report.status();
  Entries next(size, size + 7);
  auto r = (*log)->Append(next.views);
  ASSERT_TRUE(r.ok()) << where << ": " << r.status();
  ASSERT_TRUE(VerifyLog((*log)->storage(), *key.Verifier()).ok()) << where;
  for (uint64_t i : {uint64_t{0}, kBefore - 1, size, size + 6}) {
    EXPECT_EQ(*(*log)->ReadEntry(i), absl::StrCat("e", i)) << where;
  }
}

TEST(CrashSafety, FailureAfterEveryObjectWriteInMemory) {
  auto key = MakeKey();
  for (auto mode : {store::MemoryLogStorage::FailMode::kFailAndDontPersist,
                    store::MemoryLogStorage::FailMode::kFailAndPersist}) {
    for (int k = 0;; ++k) {
      auto storage = std::make_unique<store::MemoryLogStorage>();
      store::MemoryLogStorage* mem = storage.get();
      auto log = *Log::Create(std::move(storage), key.Signer());
      Entries before(0, kBefore);
      ASSERT_TRUE(log->Append(before.views).ok());
      mem->FailAfter(k, mode);
      Entries batch(kBefore, kBefore + kBatch);
      auto r = log->Append(batch.views);
      const std::string where =
          absl::StrCat("failure at write ", k, " mode ", static_cast<int>(mode));
      if (r.ok()) {
        EXPECT_GT(k, 3) << "the batch writes several objects";
        mem->FailAfter(1 << 30, mode);  // disarm
      } else {
        // Sticky: no further appends until reopened.
        Entries again(kBefore, kBefore + 1);
        EXPECT_TRUE(absl::IsFailedPrecondition(log->Append(again.views).status())) << where;
      }
      // "Crash": drop the log, reopen a copy of what the storage holds.
      auto copy = std::make_unique<store::MemoryLogStorage>(mem->Snapshot());
      log.reset();
      ExpectRecovers(std::move(copy), key, where);
      if (r.ok()) break;
    }
  }
}

// Two writers of one log, as two front ends or two processes: B holds a stale view
// when A commits, loses its first compare-and-swap, catches up and sequences its batch
// after A's; a failure is injected at every write of B's commit in turn. Whatever B
// managed, A (stale in its turn when B got through) appends again without a fork, and
// every acknowledged entry is where its writer was told it is.
TEST(CrashSafety, TwoWritersAFailureAtEveryWriteOfTheLoserNeverForks) {
  auto key = MakeKey();
  for (auto mode : {store::MemoryLogStorage::FailMode::kFailAndDontPersist,
                    store::MemoryLogStorage::FailMode::kFailAndPersist}) {
    for (int k = 0;; ++k) {
      auto storage = std::make_unique<store::MemoryLogStorage>();
      store::MemoryLogStorage* mem = storage.get();
      auto a = *Log::Create(std::move(storage), key.Signer());
      Entries before(0, kBefore);
      ASSERT_TRUE(a->Append(before.views).ok());
      auto b = *Log::OpenForAppend(mem->Share(), key.Signer());
      const std::string where =
          absl::StrCat("failure at write ", k, " of the loser, mode ", static_cast<int>(mode));
      Entries from_a(kBefore, kBefore + 5);  // "e250".."e254"
      ASSERT_TRUE(a->Append(from_a.views).ok()) << where;
      mem->FailAfter(k, mode);
      Entries from_b(kBefore + 5, kBefore + 5 + kBatch);
      auto rb = b->Append(from_b.views);
      if (rb.ok()) {
        EXPECT_EQ(rb->first_index, kBefore + 5) << where << ": B went after A's entries";
        mem->FailAfter(1 << 30, mode);  // disarm
      }
      // A is stale if B got through; it must catch up, not overwrite.
      Entries more_a(0, 3);
      auto ra = a->Append(more_a.views);
      ASSERT_TRUE(ra.ok()) << where << ": " << ra.status();
      const uint64_t expect_first = rb.ok() ? kBefore + 5 + kBatch : kBefore + 5;
      // B's failed commit may have persisted the checkpoint (kFailAndPersist on its
      // last write): the batch is then in the log though B could not say so.
      const bool b_in_log = ra->first_index == kBefore + 5 + kBatch;
      EXPECT_TRUE(ra->first_index == expect_first || (!rb.ok() && b_in_log)) << where;
      auto report = VerifyLog(*mem, *key.Verifier());
      ASSERT_TRUE(report.ok()) << where << ": " << report.status();
      auto reader = *Log::OpenReadOnly(mem->Share(), *key.Verifier());
      EXPECT_EQ(*reader->ReadEntry(kBefore), absl::StrCat("e", kBefore)) << where;
      if (rb.ok() || b_in_log) {
        EXPECT_EQ(*reader->ReadEntry(kBefore + 5), absl::StrCat("e", kBefore + 5)) << where;
      }
      EXPECT_EQ(*reader->ReadEntry(ra->first_index), "e0") << where;
      if (rb.ok()) break;
    }
  }
}

class FolderCrashTest : public ::testing::TestWithParam<store::Durability> {};

TEST_P(FolderCrashTest, FailureAtEverySyscallStep) {
  auto key = MakeKey();
  int steps_in_append = -1;
  for (int k = 0;; ++k) {
    TempDir dir;
    int step = 0;
    bool armed = false;
    auto fault = [&](std::string_view, const std::filesystem::path&) {
      return armed && step++ == k ? absl::InternalError("injected crash") : absl::OkStatus();
    };
    auto log = *Log::Create(
        std::make_unique<store::PosixLogStorage>(
            dir.path(), store::PosixLogStorage::Options{.fault = fault, .durability = GetParam()}),
        key.Signer());
    Entries before(0, kBefore);
    ASSERT_TRUE(log->Append(before.views).ok());
    armed = true;
    Entries batch(kBefore, kBefore + kBatch);
    const bool ok = log->Append(batch.views).ok();
    armed = false;
    log.reset();
    ExpectRecovers(std::make_unique<store::PosixLogStorage>(dir.path()), key,
                   absl::StrCat("failure at step ", k));
    if (ok && step <= k) {
      steps_in_append = step;
      break;
    }
  }
  // mkdirs, 3 or 4 syscalls per object, syncs, the checkpoint, partial deletions.
  EXPECT_GT(steps_in_append, 20);
}

INSTANTIATE_TEST_SUITE_P(Modes, FolderCrashTest,
                         ::testing::Values(store::Durability::kFsyncEachFile,
                                           store::Durability::kSyncFilesystem),
                         [](const auto& info) {
                           return info.param == store::Durability::kFsyncEachFile
                                      ? "FsyncEachFile"
                                      : "SyncFilesystem";
                         });

}  // namespace
}  // namespace accord::log
