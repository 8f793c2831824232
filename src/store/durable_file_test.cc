#include "src/store/durable_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "src/test/temp_dir.h"

namespace accord::store {
namespace {
namespace fs = std::filesystem;

using TempDir = test::TempDir;

std::vector<std::string> Listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DurableFile, WritesCreatesDirectoriesAndReadsBack) {
  TempDir d;
  const FileWrite files[] = {{d.path() / "a/b/c", "one"}, {d.path() / "a/x", ""}};
  ASSERT_TRUE(WriteFilesDurably(files).ok());
  EXPECT_EQ(*ReadWholeFile(d.path() / "a/b/c"), "one");
  EXPECT_EQ(*ReadWholeFile(d.path() / "a/x"), "");
  const FileWrite again[] = {{d.path() / "a/b/c", "two"}};
  ASSERT_TRUE(WriteFilesDurably(again).ok());
  EXPECT_EQ(*ReadWholeFile(d.path() / "a/b/c"), "two");
  EXPECT_EQ(Listing(d.path()), (std::vector<std::string>{"a/b/c", "a/x"}));  // no temp files
}

TEST(DurableFile, ReadErrorsNameThePath) {
  TempDir d;
  auto missing = ReadWholeFile(d.path() / "nope");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  EXPECT_TRUE(absl::IsFailedPrecondition(ReadWholeFile(d.path()).status()));
}

TEST(DurableFile, CheckWritableFolderLeavesNothingBehind) {
  TempDir d;
  EXPECT_TRUE(CheckWritableFolder(d.path()).ok());
  EXPECT_TRUE(fs::is_empty(d.path()));
  auto missing = CheckWritableFolder(d.path() / "nope");
  EXPECT_TRUE(absl::IsNotFound(missing)) << missing;
  EXPECT_NE(missing.message().find("nope"), std::string::npos) << missing;
  // (A read-only folder: src/cli/storage_fault_test.cc, which can mount one.)
}

TEST(DurableFile, AFileWhereADirectoryShouldBeIsAClearError) {
  TempDir d;
  std::ofstream(d.path() / "blocker") << "x";
  const FileWrite files[] = {{d.path() / "blocker/child", "data"}};
  auto s = WriteFilesDurably(files);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_NE(s.message().find("blocker"), std::string::npos);
}

// A failure at any step leaves each file with its old or its new contents, and a
// clean failure leaves no temporary files behind.
class DurabilityTest : public ::testing::TestWithParam<Durability> {};

TEST_P(DurabilityTest, FailureAtEveryStepLeavesOldOrNewContents) {
  for (int fail_at = 0;; ++fail_at) {
    TempDir d;
    const FileWrite before[] = {{d.path() / "t/1", "old1"}, {d.path() / "t/2", "old2"}};
    ASSERT_TRUE(WriteFilesDurably(before).ok());
    int step = 0;
    FaultInjector fault = [&](std::string_view, const fs::path&) {
      return step++ == fail_at ? absl::InternalError("injected") : absl::OkStatus();
    };
    const FileWrite after[] = {
        {d.path() / "t/1", "new1"}, {d.path() / "t/2", "new2"}, {d.path() / "u/3", "new3"}};
    absl::Status s = WriteFilesDurably(after, GetParam(), fault);
    for (const char* name : {"t/1", "t/2"}) {
      auto got = ReadWholeFile(d.path() / name);
      ASSERT_TRUE(got.ok());
      EXPECT_TRUE(*got == std::string("old") + name[2] || *got == std::string("new") + name[2])
          << "step " << fail_at << ": " << *got;
    }
    for (const auto& f : Listing(d.path())) EXPECT_EQ(f.find(".tmp."), std::string::npos) << f;
    if (s.ok()) {
      EXPECT_GT(fail_at, 8);  // there were that many steps to fail
      EXPECT_EQ(*ReadWholeFile(d.path() / "u/3"), "new3");
      break;
    }
    EXPECT_EQ(s.message(), "injected");
  }
}

// The commit file is renamed into place only after every other file is: whatever step
// fails, a new commit file implies all-new data files.
TEST_P(DurabilityTest, CommitNeverPrecedesItsData) {
  for (int fail_at = 0;; ++fail_at) {
    TempDir d;
    const FileWrite before[] = {
        {d.path() / "a", "old"}, {d.path() / "t/b", "old"}, {d.path() / "checkpoint", "old"}};
    ASSERT_TRUE(WriteFilesDurably(before).ok());
    int step = 0;
    FaultInjector fault = [&](std::string_view, const fs::path&) {
      return step++ == fail_at ? absl::InternalError("injected") : absl::OkStatus();
    };
    const FileWrite files[] = {
        {d.path() / "a", "new"}, {d.path() / "t/b", "new"}, {d.path() / "t/u/c", "new"}};
    absl::Status s =
        WriteFilesAndCommit(files, {d.path() / "checkpoint", "new"}, GetParam(), fault);
    if (*ReadWholeFile(d.path() / "checkpoint") == "new") {
      for (const char* name : {"a", "t/b", "t/u/c"}) {
        EXPECT_EQ(*ReadWholeFile(d.path() / name), "new") << "step " << fail_at << " " << name;
      }
    }
    for (const auto& f : Listing(d.path())) EXPECT_EQ(f.find(".tmp."), std::string::npos) << f;
    if (s.ok()) break;
  }
}

TEST(DurableFileWriter, TheFileAppearsWholeOnlyAtCommit) {
  TempDir d;
  const fs::path path = d.path() / "out/disclosure.pcapng";
  auto w = DurableFileWriter::Create(path, 0600);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Append("first ").ok());
  ASSERT_TRUE((*w)->Append("second").ok());
  EXPECT_FALSE(fs::exists(path)) << "nothing at the path before Commit";
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(*ReadWholeFile(path), "first second");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ((*w)->Append("more").code(), absl::StatusCode::kFailedPrecondition);
  w->reset();
  EXPECT_EQ(Listing(d.path()), (std::vector<std::string>{"out/disclosure.pcapng"}));
}

TEST(DurableFileWriter, AWriterNotCommittedLeavesTheOldFileAndNoTemporaryOne) {
  TempDir d;
  const fs::path path = d.path() / "f";
  const FileWrite old[] = {{path, "old"}};
  ASSERT_TRUE(WriteFilesDurably(old).ok());
  {
    auto w = DurableFileWriter::Create(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append("half of the new").ok());
  }
  EXPECT_EQ(*ReadWholeFile(path), "old");
  EXPECT_EQ(Listing(d.path()), (std::vector<std::string>{"f"}));
}

TEST(DurableFileWriter, AFailureAtAnyStepLeavesTheOldFile) {
  for (const char* failing : {"create", "write", "fsync", "rename"}) {
    TempDir d;
    const fs::path path = d.path() / "f";
    const FileWrite old[] = {{path, "old"}};
    ASSERT_TRUE(WriteFilesDurably(old).ok());
    const FaultInjector fault = [&](std::string_view step, const fs::path&) {
      return step == failing ? absl::InternalError("injected") : absl::OkStatus();
    };
    absl::Status s;
    if (auto w = DurableFileWriter::Create(path, 0644, fault); !w.ok()) {
      s = w.status();
    } else if (s = (*w)->Append("new"); s.ok()) {
      s = (*w)->Commit();
    }
    EXPECT_FALSE(s.ok()) << failing;
    EXPECT_EQ(*ReadWholeFile(path), "old") << failing;
    EXPECT_EQ(Listing(d.path()), (std::vector<std::string>{"f"})) << failing;
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, DurabilityTest,
                         ::testing::Values(Durability::kFsyncEachFile, Durability::kSyncFilesystem),
                         [](const auto& info) {
                           return info.param == Durability::kFsyncEachFile ? "FsyncEachFile"
                                                                           : "SyncFilesystem";
                         });

}  // namespace
}  // namespace accord::store
