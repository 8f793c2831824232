// The BodyStorage contract against every backend (a folder, the memory fake, PostgreSQL
// on a real server), then each backend's own crash points and damage.
#include "src/store/body_storage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/store/postgres.h"
#include "src/test/postgres.h"
#include "src/test/temp_dir.h"

namespace accord::store {
namespace {
namespace fs = std::filesystem;

const std::string kCommitment(64, 'c');
const std::string kOther(64, 'd');

struct BodyFolderMaker {
  test::TempDir dir;
  std::unique_ptr<BodyStorage> Make() {
    return std::make_unique<FolderBodyStorage>(dir.path() / "bodies");
  }
};
struct BodyMemoryMaker {
  std::unique_ptr<BodyStorage> Make() { return std::make_unique<MemoryBodyStorage>(); }
};
struct BodyPostgresMaker {
  std::shared_ptr<PostgresDatabase> db =
      *PostgresDatabase::Connect(*test::SharedPostgres().CreateDatabase());
  std::unique_ptr<BodyStorage> Make() { return db->Bodies(); }
};

template <typename Maker>
class BodyStorageContract : public ::testing::Test {
 protected:
  Maker maker_;
  std::unique_ptr<BodyStorage> store_ = maker_.Make();
};
using BodyMakers = ::testing::Types<BodyFolderMaker, BodyMemoryMaker, BodyPostgresMaker>;
TYPED_TEST_SUITE(BodyStorageContract, BodyMakers);

TYPED_TEST(BodyStorageContract, KeepsCopiesByCommitmentAndAddresseeAndReplacesThem) {
  BodyStorage& s = *this->store_;
  EXPECT_TRUE(s.Commitments()->empty());
  EXPECT_TRUE(s.Addressees(kCommitment)->empty());
  EXPECT_FALSE(s.Get(kCommitment, "b.example/log")->has_value());
  const BodyCopy copies[] = {{"c.example/log", std::string(100, '\0') + "sealed for c"},
                             {"b.example/log", "sealed for b"}};
  ASSERT_TRUE(s.Put(kCommitment, copies).ok());
  EXPECT_EQ(**s.Get(kCommitment, "c.example/log"), copies[0].sealed);  // any bytes
  EXPECT_EQ(*s.Addressees(kCommitment),
            (std::vector<std::string>{"b.example/log", "c.example/log"}));
  const BodyCopy again[] = {{"b.example/log", "resealed for b"}};
  ASSERT_TRUE(s.Put(kCommitment, again).ok());
  EXPECT_EQ(**s.Get(kCommitment, "b.example/log"), "resealed for b");
  EXPECT_EQ(**s.Get(kCommitment, "c.example/log"), copies[0].sealed);
  ASSERT_TRUE(s.Put(kOther, again).ok());
  EXPECT_EQ(*s.Commitments(), (std::vector<std::string>{kCommitment, kOther}));
  // A second handle (a restart, another front end) sees the same.
  auto reopened = this->maker_.Make();
  if (std::is_same_v<TypeParam, BodyMemoryMaker>) return;  // the fake is one object
  EXPECT_EQ(**reopened->Get(kCommitment, "b.example/log"), "resealed for b");
}

TYPED_TEST(BodyStorageContract, ACommitmentNamesNothingButHex) {
  BodyStorage& s = *this->store_;
  const BodyCopy c[] = {{"b.example/log", "x"}};
  for (std::string_view bad : {"../../etc/passwd", "", "ABC", "c"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(s.Put(bad, c))) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(s.Get(bad, "b.example/log").status())) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(s.Addressees(bad).status())) << bad;
  }
  // Addressees are named by hash: path-like text is only text.
  const BodyCopy odd[] = {{"../../x", "y"}};
  ASSERT_TRUE(s.Put(kCommitment, odd).ok());
  EXPECT_EQ(**s.Get(kCommitment, "../../x"), "y");
}

// A failure at every write of a batch, stored or not: each copy is old or new.
TEST(MemoryBodyStorage, AFailureAtEveryCopyLeavesEachOldOrNew) {
  for (auto mode : {MemoryBodyStorage::FailMode::kFailAndDontPersist,
                    MemoryBodyStorage::FailMode::kFailAndPersist}) {
    for (int k = 0; k < 3; ++k) {
      MemoryBodyStorage s;
      const BodyCopy old[] = {{"a", "old a"}, {"b", "old b"}, {"c", "old c"}};
      ASSERT_TRUE(s.Put(kCommitment, old).ok());
      const BodyCopy fresh[] = {{"a", "new a"}, {"b", "new b"}, {"c", "new c"}};
      s.FailAfter(k, mode);
      EXPECT_FALSE(s.Put(kCommitment, fresh).ok());
      for (int i = 0; i < 3; ++i) {
        const std::string got = **s.Get(kCommitment, fresh[i].addressee);
        const bool is_new =
            i < k || (i == k && mode == MemoryBodyStorage::FailMode::kFailAndPersist);
        EXPECT_EQ(got, is_new ? fresh[i].sealed : old[i].sealed) << "k " << k << " copy " << i;
      }
    }
  }
}

// Every syscall step of a folder Put failed in turn (as a crash there would stop it):
// afterwards each copy is the old or the new one, and nothing half-written is listed.
TEST(FolderBodyStorage, AFailureAtEveryStepLeavesEachCopyOldOrNew) {
  for (auto durability : {Durability::kFsyncEachFile, Durability::kSyncFilesystem}) {
    for (int k = 0;; ++k) {
      test::TempDir dir;
      int step = 0;
      bool armed = false;
      FolderBodyStorage s(
          dir.path() / "bodies",
          [&](std::string_view, const fs::path&) {
            return armed && step++ == k ? absl::InternalError("crash") : absl::OkStatus();
          },
          durability);
      const BodyCopy old[] = {{"a", "old a"}, {"b", "old b"}};
      ASSERT_TRUE(s.Put(kCommitment, old).ok());
      const BodyCopy fresh[] = {{"a", "new a"}, {"b", "new b"}};
      armed = true;
      const bool ok = s.Put(kCommitment, fresh).ok();
      armed = false;
      FolderBodyStorage reopened(dir.path() / "bodies");
      for (int i = 0; i < 2; ++i) {
        auto got = reopened.Get(kCommitment, fresh[i].addressee);
        ASSERT_TRUE(got.ok() && got->has_value()) << "step " << k << ": " << got.status();
        EXPECT_TRUE(**got == old[i].sealed || **got == fresh[i].sealed) << "step " << k;
        if (ok) EXPECT_EQ(**got, fresh[i].sealed);
      }
      EXPECT_EQ(reopened.Addressees(kCommitment)->size(), 2u);
      if (ok) break;
      ASSERT_LT(k, 100) << "the Put never got through";
    }
  }
}

TEST(FolderBodyStorage, DamageIsDataLoss) {
  test::TempDir dir;
  FolderBodyStorage s(dir.path());
  const BodyCopy c[] = {{"b.example/log", "sealed"}};
  ASSERT_TRUE(s.Put(kCommitment, c).ok());
  const fs::path file = dir.path() / kCommitment / AddresseeId("b.example/log");
  std::string bytes = *ReadWholeFile(file);
  bytes.back() ^= 1;
  const FileWrite w[] = {{file, bytes}};
  ASSERT_TRUE(WriteFilesDurably(w).ok());
  EXPECT_TRUE(absl::IsDataLoss(s.Get(kCommitment, "b.example/log").status()));
}

}  // namespace
}  // namespace accord::store
