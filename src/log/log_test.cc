#include "src/log/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "src/log/testing.h"
#include "src/log/verify.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::log {
namespace {

using testing::Entries;
using testing::MakeKey;
using testing::TempDir;

std::unique_ptr<store::LogStorage> Folder(const TempDir& d) {
  return std::make_unique<store::PosixLogStorage>(d.path() / "log");
}

TEST(Log, AppendsAreDurableAndProvable) {
  TempDir dir;
  auto key = MakeKey();
  auto log = Log::Create(Folder(dir), key.Signer());
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->size(), 0u);
  EXPECT_EQ((*log)->checkpoint().root_hash, tlog::EmptyTreeHash());

  std::vector<std::string> roots;
  uint64_t size = 0;
  for (uint64_t batch : {1u, 255u, 256u, 1u, 600u, 3u}) {
    Entries e(size, size + batch);
    auto r = (*log)->Append(e.views);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->first_index, size);
    size += batch;
    EXPECT_EQ(r->size, size);
    EXPECT_EQ((*log)->signed_checkpoint(), r->checkpoint);
  }
  // Every entry reads back and proves against the current root.
  const Hash root = (*log)->checkpoint().root_hash;
  for (uint64_t i = 0; i < size; i += 37) {
    auto entry = (*log)->ReadEntry(i);
    ASSERT_TRUE(entry.ok()) << entry.status();
    EXPECT_EQ(*entry, absl::StrCat("e", i));
    auto proof = (*log)->InclusionProof(i, size);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_TRUE(
        tlog::VerifyInclusion(i, size, tlog::LeafHash(util::AsBytes(*entry)), *proof, root).ok());
  }
  // Consistency from every earlier size.
  for (uint64_t old : {1u, 256u, 257u, 512u, 1000u}) {
    auto old_root = (*log)->RootHash(old);
    auto proof = (*log)->ConsistencyProof(old, size);
    ASSERT_TRUE(old_root.ok() && proof.ok());
    EXPECT_TRUE(tlog::VerifyConsistency(old, size, *old_root, root, *proof).ok()) << old;
  }
  EXPECT_TRUE(absl::IsOutOfRange((*log)->InclusionProof(0, size + 1).status()));
  EXPECT_TRUE(absl::IsOutOfRange((*log)->ReadEntry(size).status()));

  // Reopening restores exactly the same state, and appends continue.
  log->reset();
  auto reopened = Log::OpenForAppend(Folder(dir), key.Signer());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->checkpoint().root_hash, root);
  Entries more(size, size + 10);
  ASSERT_TRUE((*reopened)->Append(more.views).ok());
  auto report = VerifyLog((*reopened)->storage(), *key.Verifier());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->checkpoint.size, size + 10);
}

TEST(Log, SupersededPartialsAreDeletedButCurrentOnesKept) {
  TempDir dir;
  auto key = MakeKey();
  auto log = *Log::Create(Folder(dir), key.Signer());
  for (uint64_t i = 0; i < 300; ++i) {
    Entries e(i, i + 1);
    ASSERT_TRUE(log->Append(e.views).ok());
  }
  const auto root = dir.path() / "log";
  EXPECT_TRUE(std::filesystem::exists(root / "tile/0/000"));
  EXPECT_FALSE(std::filesystem::exists(root / "tile/0/000.p"));
  EXPECT_FALSE(std::filesystem::exists(root / "tile/entries/000.p"));
  EXPECT_TRUE(std::filesystem::exists(root / "tile/0/001.p/44"));
  EXPECT_TRUE(std::filesystem::exists(root / "tile/entries/001.p/44"));
  EXPECT_TRUE(std::filesystem::exists(root / "tile/1/000.p/1"));
}

// A log whose partials were superseded still verifies as of an older checkpoint, by
// reading the full tiles and bundles instead.
TEST(Log, VerifiesAsOfAnOlderCheckpoint) {
  TempDir dir;
  auto key = MakeKey();
  auto log = *Log::Create(Folder(dir), key.Signer());
  Entries first(0, 200), second(200, 300);
  ASSERT_TRUE(log->Append(first.views).ok());
  const std::string old_checkpoint = log->signed_checkpoint();
  ASSERT_TRUE(log->Append(second.views).ok());
  ASSERT_FALSE(std::filesystem::exists(dir.path() / "log/tile/entries/000.p/200"));
  TempDir view;  // the log as it was, through its old checkpoint
  std::filesystem::copy(dir.path() / "log", view.path() / "log",
                        std::filesystem::copy_options::recursive);
  const store::FileWrite w[] = {{view.path() / "log/checkpoint", old_checkpoint}};
  ASSERT_TRUE(store::WriteFilesDurably(w).ok());
  store::PosixLogStorage old_view(view.path() / "log");
  auto report = VerifyLog(old_view, *key.Verifier());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->checkpoint.size, 200u);
}

TEST(Log, RejectsBadBatchesWithoutWriting) {
  auto key = MakeKey();
  auto storage = std::make_unique<store::MemoryLogStorage>();
  auto* mem = storage.get();
  auto log = *Log::Create(std::move(storage), key.Signer());
  const int writes = mem->writes();
  std::string big(65536, 'x');
  std::vector<std::span<const uint8_t>> batch = {
      {reinterpret_cast<const uint8_t*>(big.data()), big.size()}};
  EXPECT_TRUE(absl::IsInvalidArgument(log->Append(batch).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(log->Append({}).status()));
  EXPECT_EQ(mem->writes(), writes);
  big.resize(65535);
  batch[0] = {reinterpret_cast<const uint8_t*>(big.data()), big.size()};
  EXPECT_TRUE(log->Append(batch).ok());  // the largest entry fits
}

TEST(Log, OpenChecksKeyOriginAndTiles) {
  TempDir dir;
  auto key = MakeKey("a.example/log");
  {
    auto log = *Log::Create(Folder(dir), key.Signer());
    Entries e(0, 300);
    ASSERT_TRUE(log->Append(e.views).ok());
  }
  EXPECT_TRUE(absl::IsAlreadyExists(Log::Create(Folder(dir), key.Signer()).status()));
  // Another key (same name or not) does not open it.
  EXPECT_FALSE(Log::OpenForAppend(Folder(dir), MakeKey("a.example/log").Signer()).ok());
  EXPECT_FALSE(Log::OpenReadOnly(Folder(dir), *MakeKey("b.example/log").Verifier()).ok());
  EXPECT_TRUE(Log::OpenReadOnly(Folder(dir), *key.Verifier()).ok());
  // A damaged right edge is DataLoss, naming the file.
  const auto tile = dir.path() / "log/tile/0/001.p/44";
  std::string data = *store::ReadWholeFile(tile);
  data[3] ^= 1;
  const store::FileWrite w[] = {{tile, data}};
  ASSERT_TRUE(store::WriteFilesDurably(w).ok());
  auto broken = Log::OpenForAppend(Folder(dir), key.Signer());
  EXPECT_TRUE(absl::IsDataLoss(broken.status())) << broken.status();
  EXPECT_NE(broken.status().message().find("tile/"), std::string::npos) << broken.status();
  // And the missing folder is NotFound.
  EXPECT_TRUE(absl::IsNotFound(
      Log::OpenReadOnly(std::make_unique<store::PosixLogStorage>(dir.path() / "none"),
                        *key.Verifier())
          .status()));
}

// Two writers on one folder, each with its own storage object (as two processes have):
// the one that finds the log moved on takes it up and appends after the other, and
// neither can publish a checkpoint that does not extend the one it held. Creating twice
// is AlreadyExists; a missing log is NotFound and makes no folder.
TEST(Log, TwoWritersOfOneFolderAppendInTurnAndNeverFork) {
  TempDir dir;
  auto key = MakeKey("a.example/log");
  auto a = *Log::Create(Folder(dir), key.Signer());
  EXPECT_TRUE(absl::IsAlreadyExists(Log::Create(Folder(dir), key.Signer()).status()));
  auto b = *Log::OpenForAppend(Folder(dir), key.Signer());
  Entries first(0, 10), second(10, 15), third(15, 16);
  ASSERT_EQ(a->Append(first.views)->first_index, 0u);
  const note::Checkpoint after_a = a->checkpoint();
  auto rb = b->Append(second.views);  // b still held size 0
  ASSERT_TRUE(rb.ok()) << rb.status();
  EXPECT_EQ(rb->first_index, 10u);
  EXPECT_EQ(rb->size, 15u);
  EXPECT_EQ(a->size(), 10u);  // a has not looked yet
  EXPECT_EQ(*a->Refresh(), true);
  EXPECT_EQ(a->size(), 15u);
  EXPECT_EQ(*a->Refresh(), false);
  ASSERT_EQ(a->Append(third.views)->first_index, 15u);
  auto report = VerifyLog(a->storage(), *key.Verifier());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->checkpoint.size, 16u);
  ASSERT_TRUE(b->Refresh().ok());
  for (uint64_t i : {0u, 9u, 10u, 14u, 15u}) EXPECT_EQ(*b->ReadEntry(i), absl::StrCat("e", i));
  // a's old checkpoint is a prefix of the final one.
  auto proof = a->ConsistencyProof(after_a.size, 16);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(tlog::VerifyConsistency(after_a.size, 16, after_a.root_hash,
                                      report->checkpoint.root_hash, *proof)
                  .ok());

  auto none = Log::OpenForAppend(std::make_unique<store::PosixLogStorage>(dir.path() / "none"),
                                 key.Signer());
  EXPECT_TRUE(absl::IsNotFound(none.status())) << none.status();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none"));
}

// Writers in separate threads on separate storage objects, as fast as they can: every
// acknowledged batch is in the final log exactly where its writer was told, every
// checkpoint any writer was given is a prefix of the final one.
TEST(Log, ConcurrentWritersLoseNothingAndEveryCheckpointIsAPrefix) {
  TempDir dir;
  auto key = MakeKey("a.example/log");
  ASSERT_TRUE(Log::Create(Folder(dir), key.Signer()).ok());
  constexpr int kWriters = 3, kBatches = 40;
  struct Ack {
    uint64_t first, size;
    Hash root;
    std::string entry;
  };
  std::vector<std::vector<Ack>> acks(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto log = Log::OpenForAppend(Folder(dir), key.Signer());
      ASSERT_TRUE(log.ok()) << log.status();
      for (int i = 0; i < kBatches; ++i) {
        const std::string entry = absl::StrCat("w", w, "-", i);
        const std::span<const uint8_t> views[] = {util::AsBytes(entry), util::AsBytes(entry)};
        auto r = (*log)->Append(views);
        ASSERT_TRUE(r.ok()) << r.status();
        acks[w].push_back({r->first_index, r->size, r->root, entry});
      }
    });
  }
  for (auto& t : threads) t.join();
  auto final_log = *Log::OpenForAppend(Folder(dir), key.Signer());
  const uint64_t size = final_log->size();
  ASSERT_EQ(size, uint64_t{2 * kWriters * kBatches});
  const Hash root = final_log->checkpoint().root_hash;
  for (const auto& mine : acks) {
    for (const Ack& ack : mine) {
      EXPECT_EQ(*final_log->ReadEntry(ack.first), ack.entry);
      EXPECT_EQ(*final_log->ReadEntry(ack.first + 1), ack.entry);
      auto proof = final_log->ConsistencyProof(ack.size, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(tlog::VerifyConsistency(ack.size, size, ack.root, root, *proof).ok())
          << ack.entry;
    }
  }
  EXPECT_TRUE(VerifyLog(final_log->storage(), *key.Verifier()).ok());
}

// A writer whose view is contradicted by what is stored (the same size with another
// root, written here by hand as a forger would) stops with DataLoss instead of
// appending over it.
TEST(Log, AStoredCheckpointThatDoesNotExtendTheWritersIsDataLoss) {
  TempDir dir;
  auto key = MakeKey("a.example/log");
  auto a = *Log::Create(Folder(dir), key.Signer());
  Entries first(0, 3);
  ASSERT_TRUE(a->Append(first.views).ok());
  TempDir other;
  auto elsewhere = *Log::Create(Folder(other), key.Signer());
  Entries forged(100, 104);
  ASSERT_TRUE(elsewhere->Append(forged.views).ok());
  std::filesystem::copy(
      other.path() / "log/tile", dir.path() / "log/tile",
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  const std::string forged_checkpoint = elsewhere->signed_checkpoint();
  const store::FileWrite w[] = {{dir.path() / "log/checkpoint", forged_checkpoint}};
  ASSERT_TRUE(store::WriteFilesDurably(w).ok());
  Entries next(3, 4);
  auto r = a->Append(next.views);
  EXPECT_TRUE(absl::IsDataLoss(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("does not extend"));
  EXPECT_TRUE(absl::IsFailedPrecondition(a->Append(next.views).status()));  // sticky
}

TEST(Log, ReadOnlyLogRefusesAppends) {
  TempDir dir;
  auto key = MakeKey();
  ASSERT_TRUE(Log::Create(Folder(dir), key.Signer()).ok());
  auto ro = *Log::OpenReadOnly(Folder(dir), *key.Verifier());
  Entries e(0, 1);
  EXPECT_TRUE(absl::IsFailedPrecondition(ro->Append(e.views).status()));
}

}  // namespace
}  // namespace accord::log
