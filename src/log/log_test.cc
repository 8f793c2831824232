#include "src/log/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

// One writer per log: a second Log on the same folder, in this process or another, is
// refused before it reads anything; readers need no lock.
TEST(Log, HasOneWriterAtATime) {
  TempDir dir;
  auto key = MakeKey("a.example/log");
  auto writer = Log::Create(Folder(dir), key.Signer());
  ASSERT_TRUE(writer.ok()) << writer.status();
  auto second = Log::OpenForAppend(Folder(dir), key.Signer());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_THAT(std::string(second.status().message()), ::testing::HasSubstr("another writer"));
  EXPECT_EQ(Log::Create(Folder(dir), key.Signer()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Log::OpenReadOnly(Folder(dir), *key.Verifier()).ok());
  writer->reset();
  EXPECT_TRUE(Log::OpenForAppend(Folder(dir), key.Signer()).ok());
  // No log: NotFound, and no folder made for it.
  auto none = Log::OpenForAppend(std::make_unique<store::PosixLogStorage>(dir.path() / "none"),
                                 key.Signer());
  EXPECT_TRUE(absl::IsNotFound(none.status())) << none.status();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none"));
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
